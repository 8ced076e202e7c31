import type { ImportShape } from './shapes.ts';

/**
 * Deal exports of the CRMs, read into Kinetic deals: the vendor's stages
 * (labels or internal values) mapped onto new → qualified → quote_sent →
 * negotiation → won / lost, its pipeline name kept, amounts in cents, dates
 * in the business's zone. The contact is found by the vendor's contact id
 * (kept by its contacts export), else by phone/email.
 */

/** HubSpot's deals export (CRM → Deals → Export), default pipeline stages as labels or internal values. */
const hubspotDeals: ImportShape = {
  name: 'hubspot-deals',
  vendor: 'hubspot',
  entity: 'deals',
  signature: ['record id', 'deal name'],
  anyOf: ['deal stage', 'pipeline', 'deal owner', 'amount'],
  customerIdField: 'hubspotRecordId',
  columns: {
    'Deal Name': 'title',
    Pipeline: 'pipeline',
    'Deal Stage': 'stage',
    Amount: 'amount',
    'Close Date': 'expectedCloseDate',
    'Create Date': 'createdAt',
    'Deal owner': 'owner',
    'Associated Contact': 'contactLabel',
    'Associated Contact IDs': 'vendorCustomerId',
    'Closed Lost Reason': 'closeReason',
    // Kinetic's deals table has no external id: a re-import finds a deal by contact, name, pipeline and create date.
    'Record ID': 'ignore',
    'Deal Type': 'ignore',
    'Associated Company': 'ignore',
    'Associated Company IDs': 'ignore',
    'Last Activity Date': 'ignore',
    'Closed Won Reason': 'ignore',
    'Deal probability': 'ignore',
  },
  // HubSpot's default sales pipeline; the built-in table also knows the labels ("Decision Maker Bought-In").
  dealStageSynonyms: {
    appointmentscheduled: 'new', qualifiedtobuy: 'qualified', presentationscheduled: 'quote_sent', decisionmakerboughtin: 'negotiation', contractsent: 'negotiation', closedwon: 'won', closedlost: 'lost',
  },
};

/** GoHighLevel's opportunities export: stages are the agency's own names, the status (open, won, lost, abandoned) closes a deal. */
const gohighlevelOpportunities: ImportShape = {
  name: 'gohighlevel-opportunities',
  vendor: 'gohighlevel',
  entity: 'deals',
  signature: ['opportunity name'],
  anyOf: ['lead value', 'opportunity id', 'pipeline stage id', 'engagement score'],
  customerIdField: 'highLevelId',
  columns: {
    'Opportunity Name': 'title',
    'Contact Name': 'name',
    phone: 'phone',
    email: 'email',
    pipeline: 'pipeline',
    stage: 'stage',
    'Lead Value': 'amount',
    assigned: 'owner',
    'Created on': 'createdAt',
    // When a won/lost/abandoned opportunity last changed: the nearest thing to its close date the export has.
    'Updated on': 'closedAt',
    'lost reason name': 'closeReason',
    status: 'status',
    'Contact ID': 'vendorCustomerId',
    source: 'ignore',
    'lost reason ID': 'ignore',
    Followers: 'ignore',
    Notes: 'ignore',
    tags: 'ignore',
    'Engagement Score': 'ignore',
    'Opportunity ID': 'ignore',
    'Pipeline Stage ID': 'ignore',
    'Pipeline ID': 'ignore',
    'Days Since Last Stage Change Date': 'ignore',
    'Days Since Last Status Change Date': 'ignore',
    'Days Since Last Updated': 'ignore',
  },
  // The stages of GoHighLevel's common service-business pipeline templates.
  dealStageSynonyms: {
    'new lead': 'new', 'no show': 'new', 'hot lead': 'qualified', contacted: 'qualified', 'appointment booked': 'qualified', 'appointment scheduled': 'qualified', showed: 'qualified',
    'estimate sent': 'quote_sent', 'proposal sent': 'quote_sent', 'quote sent': 'quote_sent', 'follow up': 'negotiation', negotiating: 'negotiation',
  },
};

export const dealShapes: readonly ImportShape[] = [hubspotDeals, gohighlevelOpportunities];
