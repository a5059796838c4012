/**
 * `torch.nn.utils`: gradient clipping and parameter/vector conversion (filled in by the optim work).
 */
export {};
