import { afterEach, describe, expect, it } from 'vitest';
import { RpcError } from '../../shared/rpc/envelope';
import { createDispatcher } from './dispatch';
import { testApp } from '../test/test-app';

let t: ReturnType<typeof testApp>;
afterEach(async () => t?.dispose());

describe('dispatch over the in-memory transport', () => {
  it('round-trips a typed call', async () => {
    t = testApp();
    const p = await t.client.projects.create({ name: '  Grokking  ' });
    expect(p).toMatchObject({ name: 'Grokking', runCount: 0, description: '' });
    expect(await t.client.projects.list({})).toEqual([p]);
  });

  it('answers an unknown method with NotFound naming it', async () => {
    t = testApp();
    expect(await t.app.dispatch('projects.explode', {})).toEqual({
      ok: false,
      error: { code: 'NotFound', message: "Unknown method 'projects.explode'." },
    });
    expect((await t.app.dispatch('toString', {})).ok).toBe(false);
    expect((await t.app.dispatch('projects.constructor', {})).ok).toBe(false);
    // Names that walk the prototype chain are unknown methods, not Object's members.
    for (const m of [
      '__proto__.constructor',
      'constructor.name',
      '__proto__.hasOwnProperty',
      'projects.__proto__',
      'projects.list.call',
      'hasOwnProperty.call',
    ]) {
      expect(await t.app.dispatch(m, {}), m).toEqual({ ok: false, error: { code: 'NotFound', message: `Unknown method '${m}'.` } });
    }
  });

  it('takes a named evaluation set as a split and refuses a malformed name', async () => {
    t = testApp();
    const p = await t.client.projects.create({ name: 'lm' });
    expect(await t.app.dispatch('metrics.series', { runIds: [p.id], keys: ['perplexity'], split: 'de' })).toMatchObject({ ok: true });
    expect(await t.app.dispatch('metrics.series', { runIds: [p.id], keys: ['loss'], split: '../de' })).toMatchObject({
      ok: false,
      error: { code: 'InvalidParams', message: expect.stringMatching(/split/) },
    });
  });

  it('rejects invalid params with InvalidParams naming the field', async () => {
    t = testApp();
    const reply = await t.app.dispatch('projects.rename', { id: -3, name: '' });
    expect(reply.ok).toBe(false);
    if (reply.ok) return;
    expect(reply.error.code).toBe('InvalidParams');
    expect(reply.error.message).toBe('projects.rename: id: must be a positive id; name: must not be empty');
    expect(reply.error.details).toEqual([
      { path: ['id'], message: 'must be a positive id' },
      { path: ['name'], message: 'must not be empty' },
    ]);
    const extra = await t.app.dispatch('projects.create', { name: 'x', admin: true });
    expect(!extra.ok && extra.error.message).toBe("projects.create: unknown field 'admin'");
  });

  it('turns domain errors into envelopes and the client into RpcErrors', async () => {
    t = testApp();
    await t.client.projects.create({ name: 'A' });
    const err = await t.client.projects.create({ name: 'a' }).catch((e) => e);
    expect(err).toBeInstanceOf(RpcError);
    expect(err).toMatchObject({ code: 'Conflict', message: "A project named 'a' already exists. Choose another name." });
    await expect(t.client.runs.get({ id: 99 })).rejects.toMatchObject({ code: 'NotFound', message: 'No run with id 99.' });
  });

  it('turns unexpected throws into Internal envelopes without stack traces', async () => {
    const logged: string[] = [];
    const broken = {
      system: {
        info: () => {
          throw new TypeError('boom');
        },
      },
    } as never;
    const dispatch = createDispatcher(broken, (m) => logged.push(m));
    const reply = await dispatch('system.info', {});
    expect(reply).toEqual({ ok: false, error: { code: 'Internal', message: 'Something went wrong in system.info: boom' } });
    expect(logged[0]).toContain('TypeError: boom');
  });

  it('delivers events to subscribers', async () => {
    t = testApp();
    const seen: unknown[] = [];
    const off = t.client.on('project.updated', (e) => seen.push(e));
    const p = await t.client.projects.create({ name: 'Evented' });
    off();
    await t.client.projects.create({ name: 'Quiet' });
    expect(seen).toEqual([{ projectId: p.id }]);
  });
});
