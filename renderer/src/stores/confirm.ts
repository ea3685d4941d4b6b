import { defineStore } from 'pinia';
import { ref } from 'vue';

/** A question waiting for the user. */
export interface Question {
  readonly text: string;
  readonly yes: string;
  readonly no: string;
  readonly answer: (yes: boolean) => void;
}

/** Yes/no questions (Overwrite?, Delete?) asked in the page's one dialog, answered as a promise. */
export const useConfirmStore = defineStore('confirm', () => {
  const question = ref<Question | null>(null);

  /** Asks and waits; a question asked while another waits answers the earlier one no. */
  function ask(text: string, yes = 'Overwrite', no = 'Cancel'): Promise<boolean> {
    question.value?.answer(false);
    return new Promise((resolve) => {
      question.value = {
        text,
        yes,
        no,
        answer: (v) => {
          question.value = null;
          resolve(v);
        },
      };
    });
  }

  return { question, ask };
});
