/** Image height, width and channels (NHWC without the N). */
export type ImageShape = readonly [height: number, width: number, channels: number];

/** Decoded images, uint8 NHWC, with integer class labels. Cheap to subset: views share `images`. */
export interface ImageSet {
  readonly images: Uint8Array;
  readonly labels: Int32Array;
  readonly count: number;
  readonly shape: ImageShape;
}

/** Per-channel mean and standard deviation of images scaled to [0, 1]. */
export interface Normalization {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/** A loaded dataset: train and test sets, class names and a checksum of the decoded content. */
export interface Dataset {
  readonly name: string;
  readonly classes: number;
  readonly classNames: readonly string[];
  readonly shape: ImageShape;
  readonly train: ImageSet;
  readonly test: ImageSet;
  /** sha256 (hex) over shapes, labels and pixels of train and test, so a run records exactly what it saw. */
  readonly checksum: string;
  /** Where the files came from (path), for provenance. */
  readonly source: string;
  /** Per-channel statistics the dataset is normalised with by default (COLT-SPEC values for CIFAR/TinyImageNet). */
  readonly normalization: Normalization;
}

/** The augmentations of COLT-SPEC, applied per batch with a seeded RNG. */
export interface Augmentation {
  /** Random crop back to the input size after zero padding of this many pixels (0 = off). */
  readonly cropPadding: number;
  readonly horizontalFlip: boolean;
  /** Random rotation up to ± this many degrees (0 = off). */
  readonly rotationDegrees: number;
  /** How rotated images are resampled; torchvision's RandomRotation (the authors' code) uses 'nearest', the default. */
  readonly rotationInterpolation?: 'nearest' | 'bilinear';
}

/** One batch ready for the engine: normalised float32 NHWC images and int32 labels. */
export interface Batch {
  readonly x: Float32Array;
  readonly y: Int32Array;
  readonly size: number;
}

/** What a dataset is without its pixels: name, shape, classes and every label (what checks and estimates need). */
export interface DatasetMeta {
  readonly name: string;
  readonly classes: number;
  readonly classNames: readonly string[];
  readonly shape: ImageShape;
  readonly trainLabels: Int32Array;
  readonly testLabels: Int32Array;
  readonly source: string;
}
