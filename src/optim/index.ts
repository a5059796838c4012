/**
 * `torch.optim` (filled in by the optim work).
 */
export {};
