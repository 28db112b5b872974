import { Button, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';
import type { ApiProblem } from '../api/api-client';

/** An error as a person reads it: what happened and what to do (the api's detail), with its code for support. */
export function ProblemMessage({ problem, title = 'Something went wrong', onRetry }: { problem: ApiProblem; title?: string; onRetry?: () => void }) {
  return (
    <MessageBar intent="error" layout="multiline" role="alert">
      <MessageBarBody>
        <MessageBarTitle>{title}</MessageBarTitle>
        {problem.detail} <span data-testid="problem-code">(code {problem.code})</span>
      </MessageBarBody>
      {onRetry && (
        <MessageBarActions>
          <Button onClick={onRetry}>Try again</Button>
        </MessageBarActions>
      )}
    </MessageBar>
  );
}
