import type { Executor, Tx } from './db/client';

/**
 * Personal data sources (个人信息保护法): each module that keeps rows or files about a resident
 * says, in one object, what it holds (for "download my data") and what happens to it when the
 * resident closes their account (注销). Identity's export and closure services walk the list the
 * composition root hands them (`app.personalData`); a module manifest can declare its source the
 * same way. Modules own their tables: a source reads and writes only its own module's.
 */

/** A stored upload that belongs in the resident's download. */
export interface PersonalFile {
  /** Path in the upload store (relative to DATA_DIR), as the module stored it. */
  storedPath: string;
  /** Where it goes in the zip, e.g. `files/cases/510604-20261127-0001/photo-1.jpg`. */
  zipPath: string;
}

/** One JSON document of the download, and the files it refers to. */
export interface PersonalDataPart {
  /** File name in the zip, e.g. `cases.json`. */
  name: string;
  data: unknown;
  files: PersonalFile[];
}

/** Something that must be finished before the account can be closed (`{ code, count }`). */
export interface ClosureBlocker {
  code: string;
  count: number;
}

/** What a source did in the closing transaction. */
export interface ClosureOutcome {
  /** Upload-store paths to delete once the transaction has committed. */
  deleteFiles: string[];
  /** Counts for the closure's audit row, e.g. `{ messagesDeleted: 3 }`. */
  counts: Record<string, number>;
}

export interface PersonalDataSource {
  /** The module that owns the data (`cases`, `service-guide` …). */
  module: string;
  /** Everything the module holds about the account, for the resident's own download. */
  collect(db: Executor, accountId: string): Promise<PersonalDataPart[]>;
  /** What stands in the way of closing the account now (empty: nothing). */
  closureBlockers(db: Executor, accountId: string): Promise<ClosureBlocker[]>;
  /**
   * Inside the one closing transaction: erase what is only personal, detach or keep what the
   * community must keep (see the privacy notice's retention rules). Throwing undoes the closure.
   */
  close(tx: Tx, accountId: string, now: Date): Promise<ClosureOutcome>;
}
