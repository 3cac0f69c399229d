/**
 * The REST side of the control plane, on the express app of http.ts (after authentication):
 *
 * - `GET /api/params`: descriptors and values (what the caller's role may read);
 * - `GET /api/params/<address>`: `{address, value, unit, position, text}`;
 * - `PUT /api/params/<address>` with `{"value": v}` or `{"position": p}`;
 * - `GET /api/me`: who the token is;
 * - invites (engineer only): `GET /api/invites`, `POST /api/invites`, `DELETE /api/invites/<id>`.
 *
 * Every write goes through the control store (source `http`), so it is refused while someone
 * holds the parameter, and every remote and surface is told.
 */
import type { Express, Request, Response } from 'express';
import { canRead, canWrite, writeRefusal, type Principal } from '../control/roles.js';
import type { ControlStore } from '../control/store.js';
import { formatValue } from '../model/descriptor.js';
import { MixhostError } from '../model/errors.js';
import type { ParamRegistry } from '../model/registry.js';
import { errorBody, principalOf } from './auth.js';
import type { Invite, InviteBook } from './invites.js';

export interface ParamsApiOptions {
  readonly store: ControlStore;
  readonly registry: ParamRegistry;
  readonly invites: InviteBook;
  /** The link an invite's token opens, e.g. `http://192.168.1.20:8080/join?token=…`. */
  readonly joinUrl: (token: string) => string;
}

/** HTTP status of each refusal code of a set. */
const SET_STATUS: Record<string, number> = { E_PARAM_UNKNOWN: 404, E_PARAM_VALUE: 400, E_CONTROL_HELD: 409, E_AUTH_ROLE: 403 };

function send(res: Response, status: number, body: unknown): void {
  res.status(status).type('application/json').send(JSON.stringify(body));
}

function refuse(res: Response, status: number, code: string, message: string): void {
  send(res, status, errorBody(code, message));
}

function addressOf(req: Request): string {
  const p = (req.params as { address?: string | string[] }).address;
  return Array.isArray(p) ? p.join('/') : (p ?? '');
}

export function mountParamsApi(app: Express, opts: ParamsApiOptions): void {
  const { store, registry, invites } = opts;

  const paramBody = (i: number) => {
    const d = registry.descriptors[i];
    const value = store.valueAt(i);
    return { address: d.address, value, unit: d.unit, position: d.taper.toPosition(value), text: formatValue(d, value) };
  };

  app.get('/api/me', (_req, res) => {
    const p = principalOf(res);
    send(res, 200, { role: p.role, ...(p.bus !== undefined ? { bus: p.bus } : {}), name: p.name });
  });

  app.get('/api/params', (_req, res) => {
    const p = principalOf(res);
    const params = [];
    for (let i = 0; i < registry.size; i++) {
      const d = registry.descriptors[i];
      if (!canRead(p, d.address)) continue;
      params.push({
        ...paramBody(i),
        label: d.label,
        min: d.min,
        max: d.max,
        default: d.default,
        taper: d.taper.name,
        ...(d.steps !== undefined ? { steps: d.steps } : {}),
        ...(d.options !== undefined ? { options: d.options } : {}),
        writable: canWrite(p, d.address),
      });
    }
    send(res, 200, { epoch: store.epoch, seq: store.seq, params });
  });

  app.get('/api/params/*address', (req, res) => {
    const p = principalOf(res);
    const address = addressOf(req);
    const i = registry.find(address);
    if (i < 0 || !canRead(p, address)) return refuse(res, 404, 'E_PARAM_UNKNOWN', `unknown parameter address '${address}'`);
    send(res, 200, paramBody(i));
  });

  app.put('/api/params/*address', (req, res) => {
    const p = principalOf(res);
    const address = addressOf(req);
    const i = registry.find(address);
    if (i < 0 || !canRead(p, address)) return refuse(res, 404, 'E_PARAM_UNKNOWN', `unknown parameter address '${address}'`);
    if (!canWrite(p, address)) return refuse(res, 403, 'E_AUTH_ROLE', writeRefusal(p, address));
    const body: unknown = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return refuse(res, 400, 'E_HTTP_BODY', `the body is a JSON object: {"value": <number>} or {"position": <0..1>}`);
    }
    const b = body as Record<string, unknown>;
    const keys = Object.keys(b);
    if (keys.length !== 1 || (keys[0] !== 'value' && keys[0] !== 'position')) {
      return refuse(res, 400, 'E_HTTP_BODY', `the body is {"value": <number>} or {"position": <0..1>}, with nothing else`);
    }
    const x = b[keys[0]];
    if (typeof x !== 'number') return refuse(res, 400, 'E_PARAM_VALUE', `'${address}': the ${keys[0]} must be a number, not ${x === null ? 'null' : typeof x}`);
    const r = keys[0] === 'value' ? store.set(address, x, 'http') : store.setPosition(address, x, 'http');
    if (!r.ok) return refuse(res, SET_STATUS[r.code] ?? 400, r.code, r.message);
    send(res, 200, { ...paramBody(i), seq: store.seq });
  });

  const engineerOnly = (res: Response): Principal | undefined => {
    const p = principalOf(res);
    if (p.role === 'engineer') return p;
    refuse(res, 403, 'E_AUTH_ROLE', 'only the engineer (the access token) manages invites');
    return undefined;
  };
  const inviteBody = (inv: Invite) => ({ ...inv, url: opts.joinUrl(inv.token) });

  app.get('/api/invites', (_req, res) => {
    if (!engineerOnly(res)) return;
    send(res, 200, { invites: invites.list().map(inviteBody) });
  });

  app.post('/api/invites', async (req, res) => {
    if (!engineerOnly(res)) return;
    const b = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
    try {
      const inv = await invites.create({ role: b.role as 'performer' | 'viewer', bus: b.bus as number | undefined, name: b.name as string });
      send(res, 201, inviteBody(inv));
    } catch (e) {
      if (e instanceof MixhostError) return refuse(res, e.code === 'E_INVITE' ? 400 : 500, e.code, e.message);
      throw e;
    }
  });

  app.delete('/api/invites/:id', async (req, res) => {
    if (!engineerOnly(res)) return;
    const id = String(req.params.id);
    try {
      const inv = await invites.revoke(id);
      if (inv === undefined) return refuse(res, 404, 'E_NOT_FOUND', `no invite '${id}'`);
      send(res, 200, { revoked: inv.id, name: inv.name });
    } catch (e) {
      if (e instanceof MixhostError) return refuse(res, 500, e.code, e.message);
      throw e;
    }
  });
}
