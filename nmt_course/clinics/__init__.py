"""Clinics onboard their staff: invitations, assigned courses with due dates, a report."""
