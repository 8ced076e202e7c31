/** The website widget's tables (migration 0036), merged into the Database interface of types.ts. */
declare module './types.ts' {
  /** One form or first chat message as received; status lead | merged | spam | honeypot. */
  interface WidgetSubmissionTable {
    id: string;
    business_id: string;
    kind: string; // form | chat
    status: string;
    contact_id: string | null;
    interaction_id: string | null;
    classification_id: string | null;
    name: string | null;
    phone: string | null;
    email: string | null;
    service: string | null;
    urgency: string | null;
    message: string | null;
    consent_text: string | null;
    consent_given: number;
    page_url: string | null;
    ip: string | null;
    user_agent: string | null;
    reason: string | null;
    created_at: string;
  }

  /** A visitor's chat: the browser holds the token, the row only its SHA-256. */
  interface WidgetConversationTable {
    id: string;
    business_id: string;
    contact_id: string;
    token_hash: string;
    status: string; // open | closed
    page_url: string | null;
    ip: string | null;
    created_at: string;
    last_message_at: string;
  }

  interface WidgetRateLimitTable {
    key: string;
    window_start: number;
    hits: number;
  }

  interface Database {
    widget_submissions: WidgetSubmissionTable;
    widget_conversations: WidgetConversationTable;
    widget_rate_limits: WidgetRateLimitTable;
  }
}

export {};
