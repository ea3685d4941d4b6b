// Types of build/assemble-wasm.mjs (plain JavaScript: the build runs it before anything is compiled).

/** The module's text with its memory import made shared; throws if the import is not written as expected. */
export function sharedVariant(text: string, file: string): string;
/** Assembles one module's text (SIMD and threads enabled) into validated bytes. */
export function assemble(text: string, file: string): Promise<Buffer>;
