import type { ModuleManifest } from '../core/module';
import { admissionManifest } from './admission';
import { calendarManifest } from './calendar';
import { casesManifest } from './cases';
import { identityManifest } from './identity';
import { messagesManifest } from './messages';
import { noticesManifest } from './notices';
import { open311Manifest } from './open311';
import { serviceGuideManifest } from './service-guide';

/**
 * Every module of the product. `app.ts` mounts their routes and `boot.ts` runs their seeds in
 * dependency order (core/module-registry.ts); adding a module is one line here.
 * `modules.test.ts` fails when a folder is missing from this list or a manifest is not wired.
 */
export const MODULES: readonly ModuleManifest[] = [
  identityManifest,
  calendarManifest,
  messagesManifest,
  noticesManifest,
  serviceGuideManifest,
  casesManifest,
  admissionManifest,
  open311Manifest,
];
