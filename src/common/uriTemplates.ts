/**
 * RFC 6570 resource templates: their variables, and expansion. The implementation is the MCP SDK's `UriTemplate`,
 * which the caller passes in (src/sdk.ts exports it; `loadSdk()` loads it at first use), so the pure core neither
 * imports nor loads the SDK.
 */

/** The shape of the SDK's `UriTemplate` class that these helpers use. */
export interface UriTemplateClass {
  new (template: string): { readonly variableNames: string[]; expand(variables: Record<string, string>): string };
}

export function templateVariables(UriTemplate: UriTemplateClass, template: string): string[] {
  try {
    return [...new Set(new UriTemplate(template).variableNames)];
  } catch {
    return [];
  }
}

/** Expands a template; throws on an invalid template (the caller reports it). */
export function expandTemplate(UriTemplate: UriTemplateClass, template: string, values: Readonly<Record<string, string>>): string {
  return new UriTemplate(template).expand({ ...values });
}
