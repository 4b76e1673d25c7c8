import type { AxiosResponse } from 'axios';
import { z } from 'zod';
import { ConnectorError } from '../connector.js';
import { classifyHttpError } from '../http/classify-http-error.js';

// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
const restErrorsSchema = z.array(z.looseObject({ errorCode: z.string(), message: z.string().optional() }));

/** The `errorCode`s of a Salesforce REST error body (a JSON array); empty when it is not one. */
export function salesforceErrorCodes(data: unknown): string[] {
  const parsed = restErrorsSchema.safeParse(data);
  return parsed.success ? parsed.data.map((error) => error.errorCode) : [];
}

/**
 * Classifies a non-2xx REST API answer. Salesforce signals an exhausted org API allowance with
 * 403 REQUEST_LIMIT_EXCEEDED rather than 429, and sends no Retry-After with it.
 */
export function classifySalesforceResponse(response: AxiosResponse, redact: readonly string[]): ConnectorError {
  const generic = classifyHttpError(response, { redact });
  const codes = salesforceErrorCodes(response.data);
  if (codes.includes('REQUEST_LIMIT_EXCEEDED')) return new ConnectorError('rate_limited', generic.message, { status: response.status });
  // A 300 lists several records matching one external id: that record cannot be upserted.
  if (response.status === 300)
    return new ConnectorError('invalid', generic.message.replace(/ \(redirects are not followed.*\)$/, ''), { status: 300 });
  return generic;
}
