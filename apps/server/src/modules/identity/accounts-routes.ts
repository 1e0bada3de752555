import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  Account,
  AccountPage,
  AccountQuery,
  GrantCreate,
  GrantParams,
  IdParams,
  PasswordReset,
  Problem,
  Role,
  RoleList,
  RoleParams,
  RoleUpdate,
  StaffCreate,
  StaffCreated,
} from '@linli/contracts';
import type { FastifyInstance } from 'fastify';
import {
  createStaffAccount,
  disableAccount,
  enableAccount,
  getAccount,
  grantRole,
  listAccounts,
  listRoles,
  resetPassword,
  revokeGrant,
  updateRole,
} from './accounts-service';
import type { ServiceDeps } from './org-service';
import { presentAccount, presentAccountSummary, presentRole } from './presenters';

const problems = { 400: Problem, 401: Problem, 403: Problem, 404: Problem };
const writes = { ...problems, 409: Problem, 422: Problem };

/** Accounts, role grants and role settings. Thin: schema in, service call, presenter out. */
export async function accountRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const deps = (): ServiceDeps => ({ db: app.database.db, clock: app.clock });
  const tags = ['accounts'];

  app.get(
    '/accounts',
    {
      config: { permission: 'accounts.read' },
      schema: {
        tags,
        summary: 'Accounts in the caller’s accounts.read scope, newest first (phones masked)',
        querystring: AccountQuery,
        response: { 200: AccountPage, ...problems },
      },
    },
    async (req) => {
      const page = await listAccounts(app.database.db, req.ctx, req.query);
      return {
        items: page.rows.map((r) => presentAccountSummary(r, page.roles.get(r.id) ?? [])),
        nextCursor: page.nextCursor,
      };
    },
  );

  app.get(
    '/accounts/:id',
    {
      config: { permission: 'accounts.read' },
      schema: {
        tags,
        summary: 'One account with its grants; the full phone only with pii.read (audited)',
        params: IdParams,
        response: { 200: Account, ...problems },
      },
    },
    async (req) => {
      const { view, revealPhone } = await getAccount(deps(), req.ctx, req.params.id);
      return presentAccount(req.ctx.actor, view, revealPhone);
    },
  );

  app.post(
    '/accounts',
    {
      config: { permission: 'accounts.manage' },
      schema: {
        tags,
        summary: 'Create a staff account; without a password a temporary one is returned once',
        body: StaffCreate,
        response: { 201: StaffCreated, ...writes },
      },
    },
    async (req, reply) => {
      const { view, temporaryPassword } = await createStaffAccount(deps(), req.ctx, req.body);
      return reply.code(201).send({ account: presentAccount(req.ctx.actor, view), temporaryPassword });
    },
  );

  app.post(
    '/accounts/:id/grants',
    {
      config: { permission: 'roles.grant' },
      schema: {
        tags,
        summary: 'Grant a role at an org unit (no escalation: the caller holds all its permissions there)',
        params: IdParams,
        body: GrantCreate,
        response: { 201: Account, ...writes },
      },
    },
    async (req, reply) => {
      const view = await grantRole(deps(), req.ctx, req.params.id, req.body);
      return reply.code(201).send(presentAccount(req.ctx.actor, view));
    },
  );

  app.post(
    '/accounts/:id/grants/:grantId/revoke',
    {
      config: { permission: 'roles.grant' },
      schema: {
        tags,
        summary: 'Revoke a grant (never the last active district admin)',
        params: GrantParams,
        response: { 200: Account, ...writes },
      },
    },
    async (req) =>
      presentAccount(req.ctx.actor, await revokeGrant(deps(), req.ctx, req.params.id, req.params.grantId)),
  );

  app.post(
    '/accounts/:id/disable',
    {
      config: { permission: 'accounts.manage' },
      schema: {
        tags,
        summary: 'Disable an account and sign it out everywhere (not yourself, not the last district admin)',
        params: IdParams,
        response: { 200: Account, ...writes },
      },
    },
    async (req) => presentAccount(req.ctx.actor, await disableAccount(deps(), req.ctx, req.params.id)),
  );

  app.post(
    '/accounts/:id/enable',
    {
      config: { permission: 'accounts.manage' },
      schema: {
        tags,
        summary: 'Enable a disabled account',
        params: IdParams,
        response: { 200: Account, ...writes },
      },
    },
    async (req) => presentAccount(req.ctx.actor, await enableAccount(deps(), req.ctx, req.params.id)),
  );

  app.post(
    '/accounts/:id/reset-password',
    {
      config: { permission: 'accounts.manage' },
      schema: {
        tags,
        summary: 'Reset a staff password: a temporary one returned once; unlocks and signs the account out',
        params: IdParams,
        response: { 200: PasswordReset, ...writes },
      },
    },
    async (req) => resetPassword(deps(), req.ctx, req.params.id),
  );

  app.get(
    '/roles',
    {
      config: { permission: 'staff' },
      schema: {
        tags: ['roles'],
        summary: 'Built-in roles with their permissions and the district’s requireTotp setting',
        response: { 200: RoleList, 401: Problem, 403: Problem },
      },
    },
    async () => ({
      items: (await listRoles(app.database.db)).map((r) => presentRole(r.code, r.requireTotp)),
    }),
  );

  app.patch(
    '/roles/:code',
    {
      config: { permission: 'roles.manage' },
      schema: {
        tags: ['roles'],
        summary: 'Require TOTP for a role (roles.manage over the district root)',
        params: RoleParams,
        body: RoleUpdate,
        response: { 200: Role, ...writes },
      },
    },
    async (req) => {
      const role = await updateRole(deps(), req.ctx, req.params.code, req.body.requireTotp);
      return presentRole(role.code, role.requireTotp);
    },
  );
}
