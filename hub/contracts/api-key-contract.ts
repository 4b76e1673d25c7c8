import { z } from 'zod';
import { API_SCOPES } from '../../schema/tables/api-keys.js';

export const apiKeyCreateSchema = z
  .object({
    name: z.string().min(1).max(100),
    scopes: z.array(z.enum(API_SCOPES)).min(1).max(4),
    programIds: z.array(z.string().min(1).max(64)).max(100).default([]),
  })
  .strict()
  .meta({ id: 'ApiKeyCreate' });

export const apiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string(),
    scopes: z.array(z.enum(API_SCOPES)),
    programIds: z.array(z.string()),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
    createdAt: z.string().nullable(),
  })
  .meta({ id: 'ApiKey' });
