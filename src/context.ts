import type { Config } from './config.ts';
import type { Db } from './db/database.ts';
import type { Clock } from './lib/clock.ts';

export interface Logger {
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  debug(obj: object | string, msg?: string): void;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {}, debug() {} };

/** The world, built once at start-up and passed down: no domain code reads process.env or Date.now(). */
export interface AppContext {
  config: Config;
  db: Db;
  clock: Clock;
  log: Logger;
}

export type ActorType = 'user' | 'api_key' | 'system' | 'cli' | 'import' | 'automation';

export interface Actor {
  type: ActorType;
  id: string | null;
}

/** Who is acting, for which business. Every domain call takes one; every query is filtered by businessId. */
export interface Scope {
  businessId: string;
  actor: Actor;
}

export const systemActor: Actor = { type: 'system', id: null };
