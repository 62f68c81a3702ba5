/**
 * The SQL files the warehouse's Lambda functions carry: PlatformFunction's `afterBundling` hook copies
 * sql/migrations, sql/views and sql/loads next to the handler, where sql/registry.ts reads them.
 */
/** The folders of sql/ a warehouse bundle carries next to its handler, with the layout of sql/. */
export const WAREHOUSE_SQL_FOLDERS: readonly string[] = ['migrations', 'views', 'loads'];

/**
 * The shell commands that copy the SQL folders into a bundle (a folder that does not exist yet is
 * skipped: the registry may be empty).
 */
export function copySqlCommands(inputDir: string, outputDir: string): string[] {
  return WAREHOUSE_SQL_FOLDERS.map(
    (folder) =>
      `if [ -d "${inputDir}/sql/${folder}" ]; then cp -R "${inputDir}/sql/${folder}" "${outputDir}/${folder}"; fi`,
  );
}
