/**
 * `torch.nn`: `Module` and `Parameter`, the layers, containers and losses, `functional`, `init` and `utils`.
 * Models subclass `nn.Module`, assign layers to fields and define `forward`; call them with `model.call(x)`
 * (or `model.forward(x)`; both run hooks).
 * @example
 * import * as torch from 'torchlet';
 * const { nn } = torch;
 * const model = new nn.Sequential(
 *   new nn.Conv2d(1, 8, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
 *   new nn.Flatten(), new nn.Linear(8 * 4 * 4, 10),
 * );
 * const loss = new nn.CrossEntropyLoss().call(model.call(torch.randn([4, 1, 8, 8])), torch.tensor([0, 1, 2, 3], { dtype: 'int64' }));
 * loss.backward();
 */
export * as functional from './functional.js';
export * as utils from './utils.js';
export * as init from './init.js';
export { Module, RemovableHandle, deepcopy } from './module.js';
export type { ForwardHook, ForwardPreHook, IncompatibleKeys, StateDict } from './module.js';
export { Parameter } from './parameter.js';
export { Identity, Linear, Bilinear, NonDynamicallyQuantizableLinear } from './modules/linear.js';
export type { LinearOptions } from './modules/linear.js';
export { ConvNd, Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d } from './modules/conv.js';
export type { ConvOptions, ConvTransposeOptions, PaddingMode } from './modules/conv.js';
export { MaxPool1d, MaxPool2d, AvgPool1d, AvgPool2d, AdaptiveAvgPool1d, AdaptiveAvgPool2d } from './modules/pooling.js';
export type { MaxPoolOptions, AvgPoolOptions } from './modules/pooling.js';
export { BatchNormBase, BatchNorm1d, BatchNorm2d, LayerNorm, GroupNorm } from './modules/normalization.js';
export type { BatchNormOptions, LayerNormOptions, GroupNormOptions } from './modules/normalization.js';
export { Dropout, Dropout2d } from './modules/dropout.js';
export { Embedding } from './modules/sparse.js';
export type { EmbeddingOptions } from './modules/sparse.js';
export { Flatten, Unflatten } from './modules/flatten.js';
export {
  ReLU, LeakyReLU, ELU, GELU, SiLU, Sigmoid, Tanh, Softplus, Softmax, LogSoftmax, MultiheadAttention,
} from './modules/activation.js';
export type { MultiheadAttentionOptions, MultiheadAttentionForwardOptions } from './modules/activation.js';
export { Sequential, ModuleList, ModuleDict } from './modules/container.js';
export {
  Loss, L1Loss, MSELoss, NLLLoss, CrossEntropyLoss, BCELoss, BCEWithLogitsLoss, KLDivLoss, SmoothL1Loss, HuberLoss,
} from './modules/loss.js';
export type { LossOptions, NLLLossOptions, CrossEntropyLossOptions } from './modules/loss.js';
export { TransformerEncoderLayer, TransformerEncoder } from './modules/transformer.js';
export type { TransformerEncoderLayerOptions, Activation } from './modules/transformer.js';
export {
  CosineSimilarity, PairwiseDistance, TripletMarginLoss, MarginRankingLoss, HingeEmbeddingLoss, CosineEmbeddingLoss,
  MultiMarginLoss, PoissonNLLLoss, GaussianNLLLoss,
} from './modules/distance.js';
export { RNNBase, RNN, LSTM, GRU, RNNCellBase, RNNCell, LSTMCell, GRUCell } from './modules/rnn.js';
export type { RNNMode, RNNBaseOptions, RNNOptions, LSTMOptions, GRUOptions, RNNCellOptions, CellOptions } from './modules/rnn.js';
export { TransformerDecoderLayer, TransformerDecoder, Transformer } from './modules/transformer.js';
export type { TransformerDecoderLayerOptions, TransformerDecoderForwardOptions, TransformerOptions, TransformerForwardOptions } from './modules/transformer.js';
export { Upsample, UpsamplingNearest2d, UpsamplingBilinear2d, PixelShuffle, PixelUnshuffle } from './modules/upsampling.js';
export type { UpsampleOptions } from './modules/upsampling.js';
export {
  ConstantPad1d, ConstantPad2d, ConstantPad3d, ZeroPad1d, ZeroPad2d, ZeroPad3d, ReflectionPad1d, ReflectionPad2d, ReflectionPad3d,
  ReplicationPad1d, ReplicationPad2d, ReplicationPad3d, CircularPad1d, CircularPad2d, CircularPad3d,
} from './modules/padding.js';
export { InstanceNormBase, InstanceNorm1d, InstanceNorm2d, InstanceNorm3d } from './modules/instancenorm.js';
export type { InstanceNormOptions } from './modules/instancenorm.js';
export { AdaptiveMaxPool1d, AdaptiveMaxPool2d } from './modules/adaptive_max_pool.js';
