import { app } from './registration.js';
import { httpHandler } from '../shared/http/http-handler.js';
import { pageQuerySchema, pageResponseSchema } from '../shared/http/pagination.js';
import { defineRoute } from '../shared/http/route.js';
import { addMemberBody, memberResponse, orgMemberPathParams, updateMemberBody } from '../shared/http/schemas/member.js';
import { orgPathParams } from '../shared/http/schemas/organization.js';

const tags = ['Management: members'];
const locationOf = (orgId: string, memberId: string) => `/manage/orgs/${orgId}/members/${memberId}`;

const listMembers = defineRoute({
  name: 'manage-members-list',
  method: 'GET',
  route: 'manage/orgs/{orgId}/members',
  auth: 'manage',
  summary: "An organization's members (members)",
  tags,
  params: orgPathParams,
  query: pageQuerySchema,
  responses: { 200: { description: 'A page of members', schema: pageResponseSchema(memberResponse) } },
});

app.http(listMembers.name, {
  route: listMembers.route,
  methods: [listMembers.method],
  authLevel: 'anonymous',
  handler: httpHandler(listMembers, async ({ principal, params, query, services }) => ({
    status: 200,
    body: await services.members.list(principal, params.orgId, query),
  })),
});

const addMember = defineRoute({
  name: 'manage-member-add',
  method: 'POST',
  route: 'manage/orgs/{orgId}/members',
  auth: 'manage',
  summary: 'Add a member by Entra user id and/or email (admins)',
  tags,
  params: orgPathParams,
  body: addMemberBody,
  responses: { 201: { description: 'The new member', schema: memberResponse } },
});

app.http(addMember.name, {
  route: addMember.route,
  methods: [addMember.method],
  authLevel: 'anonymous',
  handler: httpHandler(addMember, async ({ principal, params, body, services }) => {
    const member = await services.members.add(principal, params.orgId, body);
    return { status: 201, body: member, etag: member.etag, location: locationOf(params.orgId, member.id) };
  }),
});

const getMember = defineRoute({
  name: 'manage-member-get',
  method: 'GET',
  route: 'manage/orgs/{orgId}/members/{memberId}',
  auth: 'manage',
  summary: 'One member (members)',
  tags,
  params: orgMemberPathParams,
  responses: { 200: { description: 'The member', schema: memberResponse } },
});

app.http(getMember.name, {
  route: getMember.route,
  methods: [getMember.method],
  authLevel: 'anonymous',
  handler: httpHandler(getMember, async ({ principal, params, services }) => {
    const member = await services.members.get(principal, params.orgId, params.memberId);
    return { status: 200, body: member, etag: member.etag };
  }),
});

const updateMember = defineRoute({
  name: 'manage-member-update',
  method: 'PATCH',
  route: 'manage/orgs/{orgId}/members/{memberId}',
  auth: 'manage',
  summary: "Change a member's role or name (admins); the last admin cannot be demoted",
  tags,
  params: orgMemberPathParams,
  body: updateMemberBody,
  responses: { 200: { description: 'The changed member', schema: memberResponse } },
});

app.http(updateMember.name, {
  route: updateMember.route,
  methods: [updateMember.method],
  authLevel: 'anonymous',
  handler: httpHandler(updateMember, async ({ principal, params, body, ifMatch, services }) => {
    const member = await services.members.update(principal, params.orgId, params.memberId, body, ifMatch);
    return { status: 200, body: member, etag: member.etag };
  }),
});

const removeMember = defineRoute({
  name: 'manage-member-remove',
  method: 'DELETE',
  route: 'manage/orgs/{orgId}/members/{memberId}',
  auth: 'manage',
  summary: 'Remove a member (admins); the last admin cannot be removed',
  tags,
  params: orgMemberPathParams,
  responses: { 204: { description: 'Removed' } },
});

app.http(removeMember.name, {
  route: removeMember.route,
  methods: [removeMember.method],
  authLevel: 'anonymous',
  handler: httpHandler(removeMember, async ({ principal, params, ifMatch, services }) => {
    await services.members.remove(principal, params.orgId, params.memberId, ifMatch);
    return { status: 204 };
  }),
});
