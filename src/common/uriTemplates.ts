/** RFC 6570 resource templates (via the MCP SDK's implementation): their variables, and expansion. */
import { UriTemplate } from '@modelcontextprotocol/sdk/shared/uriTemplate.js';

export function templateVariables(template: string): string[] {
  try {
    return [...new Set(new UriTemplate(template).variableNames)];
  } catch {
    return [];
  }
}

/** Expands a template; throws on an invalid template (the caller reports it). */
export function expandTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return new UriTemplate(template).expand({ ...values });
}
