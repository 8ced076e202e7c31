import type { ImportShape } from './shapes.ts';

/**
 * Jobs exports of the field-service tools, read into Kinetic jobs: the
 * vendor's job number becomes the job's external id (so a second import, or
 * a later invoices file, merges into the same job), its statuses are mapped
 * onto scheduled / completed / cancelled / no_show, money columns ("$1,250.00",
 * "1,250.00") become cents, and dates without an offset are read in the
 * business's time zone.
 */

/** Jobber's Jobs export (Work → Jobs → Export). Statuses as Jobber names them (requires invoicing, archived, late, …). */
const jobberJobs: ImportShape = {
  name: 'jobber-jobs',
  vendor: 'jobber',
  entity: 'jobs',
  signature: ['job number', 'client name'],
  anyOf: ['closed date', 'schedule start date', 'scheduled start date', 'visits assigned to', 'job status'],
  columns: {
    'Job #': 'externalId',
    'Client name': 'name',
    'Client email': 'email',
    'Client phone': 'phone',
    Title: 'serviceType',
    'Job status': 'status',
    'Schedule start date': 'scheduledStart',
    'Scheduled start date': 'scheduledStart',
    'Schedule end date': 'scheduledEnd',
    'Closed date': 'completedAt',
    'Visits assigned to': 'technician',
    'Total ($)': 'amount',
    'Line items': 'notes',
    Instructions: 'notes',
    'Lead source': 'ignore',
    'Created date': 'ignore',
    'Service property name': 'ignore',
    'Service street': 'ignore',
    'Service city': 'ignore',
    'Service province': 'ignore',
    'Service ZIP': 'ignore',
    Salesperson: 'ignore',
    'Invoice #s': 'ignore',
    'Quote #': 'ignore',
    'Online booking': 'ignore',
  },
  jobStatusSynonyms: {
    'requires invoicing': 'completed', archived: 'completed', closed: 'completed',
    active: 'scheduled', upcoming: 'scheduled', today: 'scheduled', late: 'scheduled', 'action required': 'scheduled', 'on hold': 'scheduled', unscheduled: 'scheduled',
  },
};

/**
 * Jobber's Invoices export. Kinetic has no invoice entity: each invoice is
 * read as the completed job it bills — merged into that job when its "Job #s"
 * names one already imported (filling its amount), else a job of its own
 * dated by the issue date.
 */
const jobberInvoices: ImportShape = {
  name: 'jobber-invoices',
  vendor: 'jobber',
  entity: 'jobs',
  signature: ['invoice number', 'client name'],
  anyOf: ['marked paid date', 'issued date', 'balance', 'due date'],
  columns: {
    'Job #s': 'externalId',
    'Client name': 'name',
    'Client email': 'email',
    'Client phone': 'phone',
    Subject: 'serviceType',
    Status: 'status',
    'Issued date': 'completedAt',
    'Total ($)': 'amount',
    'Invoice #': 'ignore',
    'Created date': 'ignore',
    'Due date': 'ignore',
    'Marked paid date': 'ignore',
    'Subtotal ($)': 'ignore',
    'Tax ($)': 'ignore',
    'Tip ($)': 'ignore',
    'Balance ($)': 'ignore',
    'Deposit ($)': 'ignore',
    'Discount ($)': 'ignore',
    'Lead source': 'ignore',
  },
  // An invoice bills work that was done, whether or not it is paid yet.
  jobStatusSynonyms: { draft: 'completed', 'awaiting payment': 'completed', 'past due': 'completed', paid: 'completed', 'bad debt': 'completed', sent: 'completed' },
};

/** Housecall Pro's jobs report export (Reporting → Jobs → Export); work statuses as its API and job board name them. */
const housecallJobs: ImportShape = {
  name: 'housecall-pro-jobs',
  vendor: 'housecall-pro',
  entity: 'jobs',
  signature: ['invoice number', 'customer'],
  anyOf: ['on job duration', 'travel duration', 'total duration', 'job status', 'end time'],
  columns: {
    'Invoice Number': 'externalId',
    Customer: 'name',
    'First Name': 'firstName',
    'Last Name': 'lastName',
    Email: 'email',
    'Mobile Phone': 'phone',
    Description: 'serviceType',
    'Job Status': 'status',
    Date: 'scheduledStart',
    'End Time': 'scheduledEnd',
    'Finished At': 'completedAt',
    'Assigned Employees': 'technician',
    Employee: 'technician',
    'Total Amount': 'amount',
    Notes: 'notes',
    ID: 'ignore',
    'Created At': 'ignore',
    'Travel Duration': 'ignore',
    'On Job Duration': 'ignore',
    'Total Duration': 'ignore',
    Company: 'ignore',
    'Customer Tags': 'ignore',
    'Job Tags': 'ignore',
    Address: 'ignore',
    Street: 'ignore',
    'Street Line 2': 'ignore',
    City: 'ignore',
    State: 'ignore',
    Zip: 'ignore',
    'Lead Source': 'ignore',
    'Due Amount': 'ignore',
  },
  jobStatusSynonyms: {
    unscheduled: 'scheduled', 'needs scheduling': 'scheduled', scheduled: 'scheduled', 'in progress': 'scheduled',
    complete: 'completed', 'complete rated': 'completed', 'complete unrated': 'completed', 'completed unrated': 'completed', 'invoice sent': 'completed', 'invoice paid': 'completed',
    'pro canceled': 'cancelled', 'user canceled': 'cancelled', canceled: 'cancelled',
  },
};

/** ServiceTitan's Jobs report export: the customer is named by its Customer ID (contacts imported from the customers export keep it). */
const servicetitanJobs: ImportShape = {
  name: 'servicetitan-jobs',
  vendor: 'servicetitan',
  entity: 'jobs',
  signature: ['job number', 'customer id'],
  anyOf: ['job type', 'business unit', 'job status', 'completion date', 'jobs total'],
  customerIdField: 'serviceTitanId',
  columns: {
    'Job #': 'externalId',
    'Customer ID': 'vendorCustomerId',
    'Customer Name': 'name',
    Phone: 'phone',
    Email: 'email',
    'Job Type': 'serviceType',
    'Job Status': 'status',
    Status: 'status',
    'Scheduled Date': 'scheduledStart',
    'Completion Date': 'completedAt',
    'Completed On': 'completedAt',
    'Primary Technician': 'technician',
    'Jobs Total': 'amount',
    Total: 'amount',
    Summary: 'notes',
    'Business Unit': 'ignore',
    'Created Date': 'ignore',
    'Location Name': 'ignore',
    'Location Address': 'ignore',
    'Campaign Name': 'ignore',
    'Invoice #': 'ignore',
    'Jobs Subtotal': 'ignore',
  },
  jobStatusSynonyms: { scheduled: 'scheduled', dispatched: 'scheduled', working: 'scheduled', inprogress: 'scheduled', 'in progress': 'scheduled', hold: 'scheduled', completed: 'completed', canceled: 'cancelled' },
};

export const jobShapes: readonly ImportShape[] = [jobberJobs, jobberInvoices, housecallJobs, servicetitanJobs];
