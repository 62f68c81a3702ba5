export * from './storage-stack';
export * from './ingestion-stack';
export * from './processing-stack';
