export * from './storage-stack';
export * from './ingestion-stack';
export * from './processing-stack';
export * from './network-stack';
export * from './warehouse-stack';
export * from './monitoring-stack';
export * from './api-stack';
