import { makeStyles, typographyStyles } from '@fluentui/react-components';
import { useEffect, useRef, type ReactNode } from 'react';

const useStyles = makeStyles({ heading: { ...typographyStyles.title2, margin: 0, outlineStyle: 'none' } });

/**
 * A screen's heading. It takes the focus when the screen opens, so keyboard and screen
 * reader users land on the new page instead of staying on the link they activated.
 */
export function PageHeading({ children }: { children: ReactNode }) {
  const styles = useStyles();
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus({ preventScroll: true });
  }, []);
  return (
    <h1 ref={ref} tabIndex={-1} className={styles.heading}>
      {children}
    </h1>
  );
}
