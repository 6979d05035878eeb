/**
 * Datasets: Fashion-MNIST (IDX files), CIFAR-10 and STL-10 loaded whole or streamed from their
 * record files, dataset helpers (subsets, normalisation, targets, tensors), and seeded synthetic
 * shapes.
 *
 * @module
 */
export { DatasetFileError, readDatasetFile } from "./files.ts";
export { encodeIdx, type IdxArray, parseIdx, readIdxFile } from "./idx.ts";
export {
  FASHION_MNIST_CLASSES,
  FASHION_MNIST_DEFAULT_DIR,
  FASHION_MNIST_NORMALIZATION,
  FASHION_MNIST_SUBSET_DIR,
  type FashionMnistDataset,
  fashionMnistDir,
  type FashionMnistSource,
  loadFashionMnist,
} from "./fashion_mnist.ts";
export {
  CIFAR10_CLASSES,
  CIFAR10_RECORD_BYTES,
  cifar10Files,
  type Cifar10Options,
  loadCifar10,
  parseCifar10Batch,
  streamCifar10,
} from "./cifar10.ts";
export {
  loadStl10,
  parseStl10,
  STL10_IMAGE_BYTES,
  STL10_SIZE,
  type Stl10Split,
  streamStl10,
} from "./stl10.ts";
export {
  type RecordBatch,
  RecordFile,
  type RecordFileOptions,
  streamRecords,
  withRecordFile,
} from "./record_file.ts";
export {
  binaryTargets,
  channelStatistics,
  CIFAR10_NORMALIZATION,
  concatDatasets,
  datasetTensors,
  type ImageDataset,
  imageSize,
  labelTargets,
  normalizedImages,
  seededSubset,
  selectSamples,
  type TargetEncoding,
} from "./dataset.ts";
export {
  SHAPE_CLASSES,
  SHAPE_SIZE,
  shapeLabel,
  shapeTemplate,
  type ShapeTransform,
  shapeTransform,
  shapeView,
  syntheticShapes,
  type SyntheticShapesOptions,
  transformImage,
} from "./synthetic_shapes.ts";
