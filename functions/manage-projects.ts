import { app } from './registration.js';
import { httpHandler } from '../shared/http/http-handler.js';
import { pageQuerySchema, pageResponseSchema } from '../shared/http/pagination.js';
import { defineRoute } from '../shared/http/route.js';
import { orgPathParams } from '../shared/http/schemas/organization.js';
import {
  createProjectBody,
  orgProjectPathParams,
  projectResponse,
  updateProjectBody,
} from '../shared/http/schemas/project.js';

const tags = ['Management: projects'];
const locationOf = (orgId: string, projectId: string) => `/manage/orgs/${orgId}/projects/${projectId}`;

const listProjects = defineRoute({
  name: 'manage-projects-list',
  method: 'GET',
  route: 'manage/orgs/{orgId}/projects',
  auth: 'manage',
  summary: "An organization's projects (members)",
  tags,
  params: orgPathParams,
  query: pageQuerySchema,
  responses: { 200: { description: 'A page of projects', schema: pageResponseSchema(projectResponse) } },
});

app.http(listProjects.name, {
  route: listProjects.route,
  methods: [listProjects.method],
  authLevel: 'anonymous',
  handler: httpHandler(listProjects, async ({ principal, params, query, services }) => ({
    status: 200,
    body: await services.projects.list(principal, params.orgId, query),
  })),
});

const createProject = defineRoute({
  name: 'manage-project-create',
  method: 'POST',
  route: 'manage/orgs/{orgId}/projects',
  auth: 'manage',
  summary: 'Create a project (admins)',
  tags,
  params: orgPathParams,
  body: createProjectBody,
  responses: { 201: { description: 'The new project', schema: projectResponse } },
});

app.http(createProject.name, {
  route: createProject.route,
  methods: [createProject.method],
  authLevel: 'anonymous',
  handler: httpHandler(createProject, async ({ principal, params, body, services }) => {
    const project = await services.projects.create(principal, params.orgId, body);
    return { status: 201, body: project, etag: project.etag, location: locationOf(project.orgId, project.id) };
  }),
});

const getProject = defineRoute({
  name: 'manage-project-get',
  method: 'GET',
  route: 'manage/orgs/{orgId}/projects/{projectId}',
  auth: 'manage',
  summary: 'One project (members)',
  tags,
  params: orgProjectPathParams,
  responses: { 200: { description: 'The project', schema: projectResponse } },
});

app.http(getProject.name, {
  route: getProject.route,
  methods: [getProject.method],
  authLevel: 'anonymous',
  handler: httpHandler(getProject, async ({ principal, params, services }) => {
    const project = await services.projects.get(principal, params.orgId, params.projectId);
    return { status: 200, body: project, etag: project.etag };
  }),
});

const updateProject = defineRoute({
  name: 'manage-project-update',
  method: 'PATCH',
  route: 'manage/orgs/{orgId}/projects/{projectId}',
  auth: 'manage',
  summary: "Change a project's name or description (admins)",
  tags,
  params: orgProjectPathParams,
  body: updateProjectBody,
  responses: { 200: { description: 'The changed project', schema: projectResponse } },
});

app.http(updateProject.name, {
  route: updateProject.route,
  methods: [updateProject.method],
  authLevel: 'anonymous',
  handler: httpHandler(updateProject, async ({ principal, params, body, ifMatch, services }) => {
    const project = await services.projects.update(principal, params.orgId, params.projectId, body, ifMatch);
    return { status: 200, body: project, etag: project.etag };
  }),
});

const deleteProject = defineRoute({
  name: 'manage-project-delete',
  method: 'DELETE',
  route: 'manage/orgs/{orgId}/projects/{projectId}',
  auth: 'manage',
  summary: 'Delete a project (admins); its data is deleted in the background',
  description:
    'The project and its API keys stop working at once (404 and 401 from then on). Its sessions (with transcripts and memory), agents, functions, FAQ collections, knowledge bases (files, chunks, documents), companions and digital twins (media, assets, personal voices) and webhook configuration are then deleted in the background, and finally the project itself. If-Match applies to the project as for a change.',
  tags,
  params: orgProjectPathParams,
  responses: { 204: { description: 'Deleted; the project answers 404 from now on, and its data is deleted in the background' } },
});

app.http(deleteProject.name, {
  route: deleteProject.route,
  methods: [deleteProject.method],
  authLevel: 'anonymous',
  handler: httpHandler(deleteProject, async ({ principal, params, ifMatch, services }) => {
    await services.projects.delete(principal, params.orgId, params.projectId, ifMatch);
    return { status: 204 };
  }),
});
