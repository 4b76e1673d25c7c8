// The parts of @mailchimp/mailchimp_marketing 3.0.80 (untyped, CommonJS) the connector uses.
// Its ApiClient module is imported directly: the package's main export is one shared instance.
declare module '@mailchimp/mailchimp_marketing/src/ApiClient.js' {
  /** The superagent 3.8 request the SDK builds for each call. */
  interface SuperagentRequest {
    agent(agent: import('node:http').Agent): SuperagentRequest;
    redirects(count: number): SuperagentRequest;
  }

  interface MailchimpApiConfig {
    apiKey?: string;
    accessToken?: string;
    server?: string;
  }

  class ApiClient {
    basePath: string;
    timeout: number;
    enableCookies: boolean;
    defaultHeaders: Record<string, string>;
    /** Cookie jar hooks, called with each request before it is sent and each response after. */
    agent: { attachCookies(request: SuperagentRequest): void; saveCookies(response: unknown): void };
    setConfig(config: MailchimpApiConfig): void;
    ping: { get(): Promise<unknown> };
    lists: {
      setListMember(listId: string, subscriberHash: string, body: object, opts?: { skipMergeValidation?: boolean }): Promise<unknown>;
      batchListMembers(
        listId: string,
        body: object,
        opts?: { skipMergeValidation?: boolean; skipDuplicateCheck?: boolean },
      ): Promise<unknown>;
      updateListMemberTags(listId: string, subscriberHash: string, body: object): Promise<unknown>;
      getListMergeFields(listId: string, opts?: { count?: number; offset?: number }): Promise<unknown>;
      addListMergeField(listId: string, body: object): Promise<unknown>;
    };
  }

  export = ApiClient;
}
