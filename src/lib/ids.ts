import { v7 as uuidv7 } from 'uuid';
import { createHash, randomBytes } from 'node:crypto';

/** Time-ordered identifiers (UUIDv7): sortable, so cursor pagination can order by id. */
export const newId = (): string => uuidv7();

export const randomToken = (bytes = 32): string => randomBytes(bytes).toString('base64url');

export const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');
