'use client';

import { AuthorizationServerChoice } from './authorization-server-choice';
import { DoctorStrip } from './doctor-strip';
import { FlowControls } from './flow-controls';
import { ReportBanner } from './report-banner';
import { Stepper } from './stepper';
import { Views } from './views';

/**
 * A walkthrough (live or from a report): the doctor strip and what to do next on top, then the steps
 * beside the chosen view. Loaded after Start, never on the start page.
 */
export function Workspace() {
  return (
    <>
      <ReportBanner />
      <DoctorStrip />
      <FlowControls />
      <AuthorizationServerChoice variant="banner" />
      <div className="grid items-start gap-4 md:grid-cols-[19.5rem_minmax(0,1fr)]">
        <Stepper />
        <Views />
      </div>
    </>
  );
}
