/** The installation's own settings (migration 0035), merged into the Database interface of types.ts. */
declare module './types.ts' {
  interface InstallSettingTable {
    key: string;
    value: string;
    updated_at: string;
  }

  interface Database {
    install_settings: InstallSettingTable;
  }
}

export {};
