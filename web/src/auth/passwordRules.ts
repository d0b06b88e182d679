/**
 * The password policy of every user pool, local and on AWS (tools/shared_rules.py;
 * tests/unit/test_shared_rules.py checks this copy): at least 12 characters with a
 * lowercase and an uppercase letter, a number and a symbol. Shown as a checklist
 * while the user types; Cognito stays the judge.
 */
export interface PasswordRule {
  id: string;
  label: string;
  test: (password: string) => boolean;
}

export const PASSWORD_MIN_LENGTH = 12;

// The characters Cognito counts as symbols.
const COGNITO_SYMBOLS = /[\^$*.[\]{}()?"!@#%&/\\,><':;|_~`=+-]/;

export const PASSWORD_RULES: readonly PasswordRule[] = [
  { id: "length", label: `At least ${PASSWORD_MIN_LENGTH} characters`, test: (p) => p.length >= PASSWORD_MIN_LENGTH },
  { id: "lower", label: "A lowercase letter", test: (p) => /[a-z]/.test(p) },
  { id: "upper", label: "An uppercase letter", test: (p) => /[A-Z]/.test(p) },
  { id: "number", label: "A number", test: (p) => /[0-9]/.test(p) },
  { id: "symbol", label: "A symbol, like ! or ?", test: (p) => COGNITO_SYMBOLS.test(p) },
];

export function passwordMeetsRules(password: string): boolean {
  return PASSWORD_RULES.every((rule) => rule.test(password));
}
