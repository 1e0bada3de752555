/** Every table, for Drizzle's relational queries and drizzle-kit. Modules add theirs here. */
export * from './core/schema';
export * from './core/jobs/schema';
export * from './modules/identity/schema';
export * from './modules/notices/schema';
export * from './modules/calendar/schema';
export * from './modules/service-guide/schema';
export * from './modules/service-guide/office-hours-schema';
export * from './modules/service-guide/checklist-schema';
export * from './modules/service-guide/applications-schema';
export * from './modules/messages/schema';
export * from './modules/cases/schema';
export * from './modules/admission/schema';
export * from './modules/open311/schema';
