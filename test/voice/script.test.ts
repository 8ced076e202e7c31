import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defaultBusinessHours } from '../../src/crm/businesses/schema.ts';
import { AppError } from '../../src/lib/errors.ts';
import type { VoiceCall } from '../../src/voice/calls.ts';
import { keywordClassifier, safetyFirst, type IntakeClassification } from '../../src/voice/classifier.ts';
import { parseCallParams, parseGather, parseStatus } from '../../src/voice/params.ts';
import { extractName, extractPhone, newIntake, openIntake, routeIntake, spokenNumber, takeTurn, type IntakeState } from '../../src/voice/script.ts';
import { voiceSettings } from '../../src/voice/settings.ts';
import { nextOpenSlots, slotLabel, spokenWhen } from '../../src/voice/slots.ts';
import { callOutcome } from '../../src/voice/status.ts';
import { renderTwiml } from '../../src/voice/twiml.ts';
import type { Business } from '../../src/crm/businesses/schema.ts';

const opts = { maxReprompts: 2, maxTurns: 10, defaultCountry: 'US' };
const CALLER = '+15125550123';

function run(lines: Array<string | null>, o = opts): { state: IntakeState; said: Array<string | null> } {
  let state = openIntake(newIntake(CALLER), 'Hello.').state;
  const said: Array<string | null> = [];
  for (const l of lines) {
    const t = takeTurn(state, l, o);
    state = t.state;
    said.push(t.say);
  }
  return { state, said };
}

describe('intake script', () => {
  test('a complete intake collects name, callback number, address and problem', () => {
    const { state, said } = run(['My name is dana whitfield', 'yes', 'It is 12 Oak Street', 'The furnace is blowing cold air']);
    assert.equal(state.stage, 'done');
    assert.equal(state.name, 'Dana Whitfield');
    assert.equal(state.callbackNumber, CALLER);
    assert.equal(state.address, '12 Oak Street');
    assert.equal(state.problem, 'The furnace is blowing cold air');
    assert.equal(said.at(-1), null);
    assert.equal(state.transcript.filter((l) => l.who === 'caller').length, 4);
  });

  test('a different callback number is asked for and parsed from speech', () => {
    const { state, said } = run(['Sam', 'no', 'five one two five five five zero one nine nine']);
    assert.match(said[1]!, /best number to call you back/);
    assert.equal(state.callbackNumber, '+15125550199');
    assert.equal(state.stage, 'address');
  });

  test('a number said instead of yes/no is taken as the callback number', () => {
    assert.equal(run(['Sam', 'call me on 512-555-0188 instead']).state.callbackNumber, '+15125550188');
  });

  const silenceCases: Array<[name: string, lines: Array<string | null>, stage: string, reprompts: number]> = [
    ['one silence re-asks', [null], 'name', 1],
    ['two silences re-ask twice', [null, null], 'name', 2],
    ['a third silence moves on', [null, null, null], 'confirm_number', 0],
    ['silence at the number question keeps the caller id', ['Ann', null, null, null], 'address', 0],
  ];
  for (const [name, lines, stage, reprompts] of silenceCases) {
    test(`silence: ${name}`, () => {
      const { state } = run(lines);
      assert.equal(state.stage, stage);
      assert.equal(state.reprompts, reprompts);
    });
  }

  test('silence forever still ends: bounded by re-prompts and the turn limit', () => {
    const { state, said } = run(Array(30).fill(null), { ...opts, maxTurns: 7 });
    assert.equal(state.stage, 'done');
    assert.ok(state.turns <= 7);
    assert.equal(state.cutShort, 'turn_limit');
    assert.ok(said.slice(state.turns).every((s) => s === null), 'nothing more is said after the end');
  });

  test('an emergency said before the problem question is kept as the problem, never taken as a name', () => {
    const { state, said } = run(['I smell gas in the basement', 'Dana Whitfield', 'yes', '12 Oak Street']);
    assert.match(said[0]!, /urgent.*May I have your name/);
    assert.equal(state.name, 'Dana Whitfield');
    assert.equal(state.problem, 'I smell gas in the basement');
    assert.equal(state.address, '12 Oak Street');
    assert.equal(state.stage, 'done', 'the problem question is not asked again');
    assert.equal(routeIntake(state, keywordClassifier.classify(state.problem!)).route, 'emergency');
  });

  test('asking for a person ends the intake at once', () => {
    const { state } = run(['I want to speak to someone']);
    assert.equal(state.stage, 'done');
    assert.equal(state.askedForPerson, true);
  });

  test('a finished intake ignores further speech', () => {
    const { state } = run(['A', 'yes', 'B street', 'leak', 'hello?']);
    assert.equal(state.turns, 4);
  });

  const names: Array<[string, string | null]> = [
    ['my name is maria lopez.', 'Maria Lopez'],
    ["Hi, it's Bob", 'Bob'],
    ['I am Jean-Luc Picard', 'Jean-Luc Picard'],
    ['123', null],
    ['', null],
  ];
  for (const [speech, want] of names) test(`extractName(${JSON.stringify(speech)})`, () => assert.equal(extractName(speech), want));

  const phones: Array<[string, string | null]> = [
    ['512 555 0199', '+15125550199'],
    ['(512) 555-0199', '+15125550199'],
    ['five one two five five five oh one nine nine', '+15125550199'],
    ['yes', null],
    ['555 01', null],
  ];
  for (const [speech, want] of phones) test(`extractPhone(${JSON.stringify(speech)})`, () => assert.equal(extractPhone(speech, 'US'), want));

  test('numbers are spoken digit by digit in groups', () => assert.equal(spokenNumber('+15125550123'), '5 1 2, 5 5 5, 0 1 2 3'));
});

describe('routing a finished intake', () => {
  const c = (over: Partial<IntakeClassification>): IntakeClassification => ({ urgency: 'routine', intent: 'booking', serviceType: 'ac_repair', confidence: 0.8, reasons: ['x'], ...over });
  const done = (over: Partial<IntakeState> = {}): IntakeState => ({ ...newIntake(CALLER), stage: 'done', problem: 'something', ...over });
  const cases: Array<[name: string, state: IntakeState, cls: IntakeClassification | null, route: string]> = [
    ['emergency', done(), c({ urgency: 'emergency' }), 'emergency'],
    ['emergency even when they also asked for a person', done({ askedForPerson: true }), c({ urgency: 'emergency' }), 'emergency'],
    ['routine booking', done(), c({}), 'routine'],
    ['urgent repair is booked', done(), c({ urgency: 'urgent', intent: 'service_request' }), 'routine'],
    ['asked for a person', done({ askedForPerson: true }), c({}), 'callback'],
    ['no problem given', done({ problem: null }), null, 'callback'],
    ['unknown intent', done(), c({ intent: 'unknown', confidence: 0.2 }), 'callback'],
    ['low confidence', done(), c({ confidence: 0.3 }), 'callback'],
    ['no service and only a guess', done(), c({ serviceType: null, confidence: 0.69, intent: 'new_service' }), 'callback'],
  ];
  for (const [name, state, cls, route] of cases) test(name, () => assert.equal(routeIntake(state, cls).route, route));
});

describe('keyword classifier', () => {
  const cases: Array<[string, IntakeClassification['urgency'], string | null]> = [
    ['I smell gas in the basement', 'emergency', 'gas_leak'],
    ['the CO alarm keeps going off', 'emergency', null],
    ['our basement is flooding', 'emergency', 'plumbing'],
    ['water is pouring through the ceiling', 'emergency', null],
    ['the breaker panel is sparking', 'emergency', 'electrical'],
    ['no heat and I have a newborn baby', 'emergency', 'heating_repair'],
    ['my AC is not cooling', 'urgent', 'ac_repair'],
    ['I would like to book a tune-up', 'routine', 'maintenance'],
    ['can I get a quote on a new unit', 'routine', 'installation'],
  ];
  for (const [text, urgency, service] of cases) {
    test(text, () => {
      const r = keywordClassifier.classify(text);
      assert.equal(r.urgency, urgency);
      if (service) assert.equal(r.serviceType, service);
      assert.ok(r.reasons.length > 0);
    });
  }
  test('vague speech is unknown with low confidence', () => {
    const r = keywordClassifier.classify('hmm well it is about the thing');
    assert.equal(r.intent, 'unknown');
    assert.ok(r.confidence < 0.5);
  });
  test('safety first: the rules can raise an emergency the other classifier missed, never lower one', () => {
    const calm: IntakeClassification = { urgency: 'routine', intent: 'new_service', serviceType: null, confidence: 0.9, reasons: ['model'] };
    assert.equal(safetyFirst(calm, keywordClassifier.classify('I smell gas')).urgency, 'emergency');
    assert.equal(safetyFirst({ ...calm, urgency: 'emergency' }, keywordClassifier.classify('book a tune-up')).urgency, 'emergency');
    assert.equal(safetyFirst(calm, keywordClassifier.classify('book a tune-up')).urgency, 'routine');
  });
});

describe('call outcome for the timeline and answer rate', () => {
  const call = (over: Partial<VoiceCall>): VoiceCall => ({
    callSid: 'CA1', businessId: 'b', contactId: null, from: CALLER, to: '+1', mode: 'receptionist', stage: 'intake',
    state: { intake: newIntake(CALLER), ringIndex: 0, ringNumbers: [], reason: 'after_hours', recordingUrls: [], voicemail: null },
    decision: null, interactionId: null, status: 'in_progress', durationSeconds: null, createdAt: '2026-03-02T00:00:00Z', ...over,
  });
  const cases: Array<[string, VoiceCall | null, string, string]> = [
    ['unknown call, completed', null, 'completed', 'answered'],
    ['unknown call, no answer', null, 'no-answer', 'missed'],
    ['unknown call, busy', null, 'busy', 'busy'],
    ['staff answered', call({ mode: 'ring', stage: 'staff_answered' }), 'completed', 'answered'],
    ['hung up while ringing', call({ mode: 'ring', stage: 'ringing' }), 'completed', 'missed'],
    ['hung up mid-intake', call({}), 'completed', 'abandoned'],
    ['intake finished', call({ decision: { route: 'routine', reason: '', classification: null, classifier: null, summary: '' } }), 'completed', 'completed'],
    ['voicemail left', call({ mode: 'voicemail', state: { ...call({}).state, voicemail: { url: 'u', seconds: 3 } } }), 'completed', 'voicemail'],
    ['voicemail prompt, hung up', call({ mode: 'voicemail', stage: 'voicemail' }), 'completed', 'missed'],
  ];
  for (const [name, c, status, outcome] of cases) test(name, () => assert.equal(callOutcome(c, status).outcome, outcome));
});

describe('slots, times and settings', () => {
  test('next openings: one per business day, on the hour, at least 12 hours ahead', () => {
    const slots = nextOpenSlots(new Date('2026-03-04T03:00:00Z'), 'America/Chicago', defaultBusinessHours); // Tue 21:00
    assert.deepEqual(slots.map((s) => slotLabel(s, 'America/Chicago')), ['Wed Mar 4, 9:00 AM', 'Thu Mar 5, 8:00 AM', 'Fri Mar 6, 8:00 AM']);
    const friday = nextOpenSlots(new Date('2026-03-06T22:00:00Z'), 'America/Chicago', defaultBusinessHours); // Fri 16:00
    assert.equal(slotLabel(friday[0], 'America/Chicago'), 'Mon Mar 9, 8:00 AM', 'weekends skipped');
    assert.deepEqual(nextOpenSlots(new Date(), 'America/Chicago', { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] }), []);
  });
  test('spokenWhen', () => {
    const now = new Date('2026-03-04T03:00:00Z'); // Tue 21:00 Chicago
    assert.equal(spokenWhen(new Date('2026-03-04T14:00:00Z'), now, 'America/Chicago'), 'tomorrow at 8 AM');
    assert.equal(spokenWhen(new Date('2026-03-04T04:30:00Z'), now, 'America/Chicago'), 'today at 10:30 PM');
    assert.equal(spokenWhen(new Date('2026-03-09T14:00:00Z'), now, 'America/Chicago'), 'on Monday at 9 AM');
  });
  test('voice settings: defaults, and a bad value is a clear configuration error', () => {
    const b = { name: 'Acme', settings: { defaultCountry: 'US', currency: 'USD' } } as unknown as Business;
    assert.equal(voiceSettings(b).ringStrategy, 'simultaneous');
    assert.equal(voiceSettings(b).afterHours, 'receptionist');
    assert.throws(() => voiceSettings({ ...b, settings: { ...b.settings, voice: { ringStrategy: 'random' } } } as Business), (e: unknown) => e instanceof AppError && e.code === 'CONFIG_INVALID' && /ringStrategy/.test(e.message));
  });
  test('webhook params: typed, and bad ones name the field', () => {
    assert.deepEqual(parseCallParams({ CallSid: `CA${'a'.repeat(32)}`, From: '+1', To: '+2' }), { callSid: `CA${'a'.repeat(32)}`, from: '+1', to: '+2' });
    assert.throws(() => parseCallParams({ CallSid: 'x', From: '+1', To: '+2' }), /CallSid/);
    assert.equal(parseGather({ SpeechResult: '  ' }), null);
    assert.equal(parseGather({}), null);
    assert.deepEqual(parseStatus({ CallStatus: 'completed', CallDuration: '42' }), { callStatus: 'completed', durationSeconds: 42 });
  });
  test('TwiML is made by the twilio library, with escaping', () => {
    const xml = renderTwiml({ verbs: [{ kind: 'gather', prompt: 'Tom & Jerry <HVAC>?', action: 'https://x.test/g' }, { kind: 'hangup' }] }, { voice: 'Polly.Joanna', language: 'en-US' });
    assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?><Response><Gather input="speech" action="https:\/\/x.test\/g"/);
    assert.match(xml, /Tom &amp; Jerry &lt;HVAC&gt;\?/);
    assert.match(xml, /<Hangup\/><\/Response>$/);
  });
});
