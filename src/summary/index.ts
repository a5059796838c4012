/** `torch.summary`: torchinfo-style model summaries. */
export { summary, ModelStatistics } from './summary.js';
export type { SummaryOptions, LayerSummary, ColumnName, RowSetting } from './summary.js';
