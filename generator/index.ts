/**
 * The synthetic data generator: a deterministic, streaming simulation of the shop at a scale factor
 * (see generator/README.md).
 */
export { generateEvents, Simulation, expectedItemsPerDay } from './simulation';
export type { GeneratorOptions } from './simulation';
export * from './items';
export { Shop, DEFAULT_START_DATE, customers, products, campaigns, warehouses } from './shop';
export type { ShopOptions, SkuInfo, CampaignWindow } from './shop';
export { volumesAt, dayFactor, holidayFactor, HOUR_SHARE } from './volumes';
export type { ShopVolumes } from './volumes';
