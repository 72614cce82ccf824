/** Usage text for `workflows` and each command. */

export const USAGE = `Usage: workflows <command> [options]

Commands:
  templates                     list the template library
  templates new <template-id>   print a new authoring document made from a template
  validate <file|folder>...     check authoring files; problems print as file: /json/pointer: message
  compile <file|folder>... -o <out.json>
                                compile active workflows into the bundle the site loads
  export <file|folder> --workflow <id> [-o <file.jst>]
                                write one workflow and what it needs to an exchange file
  import <file.jst> --into <authoring.json> [--as copy|update] [-o <out.json>]
                                add an exchange file's workflow to a project, as a draft

Run "workflows <command> --help" for a command's options.
Exit status: 0 success, 1 problems found, 2 wrong usage.
`;

export const HELP: Record<string, string> = {
  templates: `Usage: workflows templates
       workflows templates new <template-id> [-o <file.json>]

Without arguments, lists the template library: id, category and name.
"new" prints an authoring document made from the template (the workflow as a draft, with the promotions,
segments and apps it needs) as pretty JSON, or writes it to -o.

Options:
  -o, --output <file>   write the document to a file instead of stdout (refuses to overwrite)
      --json            list the templates as JSON (id, name, description, category, tags)
  -h, --help            show this help
`,
  validate: `Usage: workflows validate <file|folder>...

Checks authoring documents together, as one project (ids must be unique across them). A folder means every
*.json file directly inside it (not sub-folders). Problems print to stderr as
  file: /json/pointer: message
Exit status 1 when any error is found; warnings are printed but keep status 0.
On success prints "ok: N workflows, M promotions".

Options:
  -h, --help   show this help
`,
  compile: `Usage: workflows compile <file|folder>... -o <out.json>

Validates and compiles the project into the bundle the runtime downloads (only active workflows).
A folder means every *.json file directly inside it (not sub-folders; the output file is skipped).
The bundle is written atomically (temporary file, then rename) and only when compiling succeeds: on
failure problems print to stderr, the status is 1 and an existing output file is left untouched.

Options:
  -o, --output <file>   where to write the bundle; "-" writes it to stdout (the summary goes to stderr)
  -h, --help            show this help
`,
  export: `Usage: workflows export <file|folder> --workflow <id> [-o <file.jst>]

Writes one workflow with the promotions, segments and app connections it uses (secret-looking app settings
removed) as an exchange file. Workflows it enrolls are not included; they are listed under
"references.workflows" so the importer can warn.

Options:
  -w, --workflow <id>   the workflow to export (required)
  -o, --output <file>   write to a file (atomically) instead of stdout
  -h, --help            show this help
`,
  import: `Usage: workflows import <file.jst> --into <authoring.json> [--as copy|update] [-o <out.json>]

Adds the exchange file's workflow, promotions, segments and apps to the authoring document, always as a
draft. The result is validated first: when the file is bad, foreign, or the result would be invalid,
problems print and nothing is written. When --into does not exist yet, a new document is started.

Options:
  -i, --into <file>     the authoring document to import into (required)
      --as copy         give everything new ids and rewrite the references (default)
      --as update       keep the ids, replacing the project's items that have them
  -o, --output <file>   write the result here instead of replacing --into ("-" for stdout)
  -h, --help            show this help
`,
};
