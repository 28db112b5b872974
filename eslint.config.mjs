import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'data/**', 'coverage/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/utils', '**/helpers', '**/misc'], message: 'Name modules after what they are in the domain.' }] },
      ],
    },
  },
  {
    files: ['tabs/src/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['tests/**', 'bench/**'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    // The pure domain never reaches for I/O or the other layers.
    files: ['api/src/domain/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['../graph/**', '../store/**', '../sync/**', '../http/**', '../jobs/**', 'node:*'], message: 'domain/ is pure: no I/O and no imports from the other layers.' },
          ],
        },
      ],
    },
  },
);
