export * from './common';
export * from './errors';
export * from './identity';
export * from './permissions';
export * from './masking';
export * from './notices';
export * from './calendar';
export * from './service-guide';
