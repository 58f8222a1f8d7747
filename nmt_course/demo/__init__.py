"""Demo data at scale (`flask --app app demo-data`): learners, attempts, certificates, clinics
and drafts, bulk-inserted, for benchmarks and for seeing the site as a large school sees it."""
