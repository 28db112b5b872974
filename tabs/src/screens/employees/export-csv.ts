import { routes } from '@users-sync/api/contract';
import { pathOf, problemFrom, type ApiClient } from '../../api/api-client';

/** Downloads the directory as CSV: fetched with the bearer token, then saved from a blob URL. */
export function downloadEmployeesCsv(api: ApiClient): Promise<void> {
  return downloadCsv(api, pathOf(routes.exportEmployees), `employees-${new Date().toISOString().slice(0, 10)}.csv`);
}

/** Downloads a CSV the api serves (the export, the import template) under `fileName`. */
export async function downloadCsv(api: ApiClient, path: string, fileName: string): Promise<void> {
  const response = await api.fetchRaw(path, { headers: { accept: 'text/csv' } });
  if (!response.ok) throw await problemFrom(response);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
