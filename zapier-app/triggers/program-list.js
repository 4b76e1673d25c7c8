'use strict';

const { hubUrl } = require('../lib/hub-url');

/**
 * Hidden trigger that feeds the "Program" dropdown of the actions and the search: users pick a
 * program by name instead of pasting a prg_… id.
 */
module.exports = {
  key: 'program_list',
  noun: 'Program',
  display: { label: 'List Programs', description: 'Lists referral programs for dropdowns.', hidden: true },
  operation: {
    type: 'polling',
    canPaginate: true,
    perform: async (z, bundle) => {
      const params = { limit: '100' };
      // The hub pages with opaque cursors; Zapier keeps ours between dropdown pages.
      if (bundle.meta && bundle.meta.page) {
        const cursor = await z.cursor.get();
        if (!cursor) return [];
        params.cursor = cursor;
      }
      const response = await z.request({ url: hubUrl(z, bundle, '/api/v1/programs'), params });
      if (response.data.nextCursor) await z.cursor.set(response.data.nextCursor);
      return response.data.data;
    },
    sample: { id: 'prg_01J9Z6W1A4B7C0D3', slug: 'acme', name: 'Acme Friends', currency: 'USD', status: 'active' },
    outputFields: [
      { key: 'id', label: 'Program ID' },
      { key: 'name', label: 'Name' },
      { key: 'slug', label: 'Slug' },
    ],
  },
};
