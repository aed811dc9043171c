/** Last line of defence: a render error shows what happened and a way back, never a blank page. */
import { Component, type ErrorInfo, type ReactNode } from 'react';
import { PRESET_LABELS } from '../presetLabels.ts';

type Props = { children: ReactNode; onReset: () => void };

export class ErrorBoundary extends Component<Props, { error: Error | null }> {
  state = { error: null as Error | null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  componentDidCatch(error: Error, info: ErrorInfo) {
    console.error('Headroom render error', error, info.componentStack);
  }

  render() {
    if (!this.state.error) return this.props.children;
    return (
      <div className="panel broken" role="alert">
        <h2>Something went wrong drawing this plan</h2>
        <p>{this.state.error.message}</p>
        <button
          type="button"
          onClick={() => {
            this.props.onReset();
            this.setState({ error: null });
          }}
        >
          Load “{PRESET_LABELS['4gb'].short}”
        </button>
      </div>
    );
  }
}
