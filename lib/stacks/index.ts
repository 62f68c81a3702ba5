export * from './storage-stack';
export * from './ingestion-stack';
