/** Version of the code generator; part of every fingerprint. Bump when generated code changes. */
export const CODEGEN_VERSION = '0.7.0';
