import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.ts';
import type { WebhookParams } from '../../channels/twilio-webhooks.ts';
import { verifiedRecipientBusiness } from './twilio-auth.ts';
import { AppError } from '../../lib/errors.ts';
import { parseCallParams, parseDialResult, parseGather, parseRecording, parseStatus, parseTranscription } from '../../voice/params.ts';
import {
  handleCallStatus,
  handleGather,
  handleIncomingCall,
  handleOnCallResult,
  handleRecording,
  handleRingResult,
  handleVoicemail,
  handleVoicemailTranscription,
  voicePaths,
  type CallTurn,
} from '../../voice/receptionist.ts';
import { renderTwiml } from '../../voice/twiml.ts';
import { loadIntakeClassifier } from '../../voice/classifier.ts';

/**
 * Twilio Voice webhooks. Point a number's Voice URL at /webhooks/twilio/voice
 * and its status callback at /webhooks/twilio/voice/status; every other URL is
 * handed to Twilio in the TwiML. All of them must carry a valid
 * X-Twilio-Signature (403 otherwise); the business is the one that owns the
 * called number (To).
 */
export async function registerVoiceRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  // Load the intake classifier once the server is up (not before it listens: start-up stays quick), so the
  // first caller's turn does not wait for it; a call that comes first simply loads it itself.
  app.addHook('onReady', () => {
    setImmediate(() => {
      loadIntakeClassifier().then(
        (c) => c.classify('warm up: no heat'),
        (err: unknown) => ctx.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'intake classifier warm-up failed'),
      );
    });
    return Promise.resolve();
  });
  await app.register(async (scoped) => {
    await scoped.register(formbody);
    const verified = async (req: FastifyRequest) => {
      const params = (req.body ?? {}) as WebhookParams;
      const to = typeof params.To === 'string' ? params.To.trim() : '';
      const business = await verifiedRecipientBusiness(ctx, req, params, to);
      const call = parseCallParams(params);
      return { params, call, business };
    };
    const twiml = (reply: FastifyReply, turn: CallTurn) => reply.type('text/xml').send(renderTwiml(turn.reply, turn.settings));
    const doc = (summary: string) => ({ schema: { tags: ['Webhooks'], summary } });

    scoped.post(voicePaths.incoming, doc('Incoming call from Twilio (signed): rings the team or the receptionist answers'), async (req, reply) => {
      const { call, business } = await verified(req);
      return twiml(reply, await handleIncomingCall(ctx, business, call));
    });
    scoped.post(voicePaths.ringResult, doc('Twilio <Dial> result after ringing the team (signed)'), async (req, reply) => {
      const { params, call, business } = await verified(req);
      return twiml(reply, await handleRingResult(ctx, business, { callSid: call.callSid, dialCallStatus: parseDialResult(params) }));
    });
    scoped.post(voicePaths.gather, doc('What the caller said to the receptionist (signed <Gather> result)'), async (req, reply) => {
      const { params, call, business } = await verified(req);
      return twiml(reply, await handleGather(ctx, business, { callSid: call.callSid, speech: parseGather(params) }));
    });
    scoped.post(voicePaths.onCall, doc('Twilio <Dial> result after paging an on-call technician (signed)'), async (req, reply) => {
      const { params, call, business } = await verified(req);
      const attempt = Number((req.query as { attempt?: string }).attempt ?? '0');
      if (!Number.isInteger(attempt) || attempt < 0 || attempt > 50) throw new AppError('VALIDATION_FAILED', 'attempt must be a small whole number');
      return twiml(reply, await handleOnCallResult(ctx, business, { callSid: call.callSid, dialCallStatus: parseDialResult(params), attempt }));
    });
    scoped.post(voicePaths.voicemail, doc('A voicemail was recorded (signed <Record> result)'), async (req, reply) => {
      const { params, call, business } = await verified(req);
      const rec = parseRecording(params);
      return twiml(reply, await handleVoicemail(ctx, business, { callSid: call.callSid, recordingUrl: rec.url, recordingSeconds: rec.seconds }));
    });
    scoped.post(voicePaths.transcription, doc('A voicemail transcript (signed <Record transcribe> callback): on the timeline, and read like a text (an emergency is paged)'), async (req, reply) => {
      const { params, call, business } = await verified(req);
      await handleVoicemailTranscription(ctx, business, { callSid: call.callSid, text: parseTranscription(params).text });
      return reply.code(204).send();
    });
    scoped.post(voicePaths.recording, doc('A call recording is ready (signed recording status callback)'), async (req, reply) => {
      const { params, call, business } = await verified(req);
      const rec = parseRecording(params);
      if (!rec.url) throw new AppError('VALIDATION_FAILED', 'RecordingUrl is required');
      await handleRecording(ctx, business, { callSid: call.callSid, recordingUrl: rec.url });
      return reply.code(204).send();
    });
    scoped.post(voicePaths.status, doc('Twilio call status callback (signed): logs the call with outcome and duration'), async (req, reply) => {
      const { params, call, business } = await verified(req);
      await handleCallStatus(ctx, business, { ...call, ...parseStatus(params) });
      return reply.code(204).send();
    });
  });
}
