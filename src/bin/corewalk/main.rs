//! The `corewalk` command line: parses arguments, calls the library, renders its results.

mod render;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use corewalk::process::OpenOptions;
use corewalk::report::session::Session;
use corewalk::report::Report;
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit status: the input could not be used (one-line error on stderr).
const EXIT_UNUSABLE: u8 = 1;
/// Exit status: a result was printed, but parts of the input could not be read (warnings on stderr).
const EXIT_PARTIAL: u8 = 3;

/// The exit statuses, shown by every command's `--help`.
const EXIT_HELP: &str = "Exit status:
  0    success
  1    unusable input: a bad, truncated or mismatched core or executable (one `corewalk:` line on stderr)
  2    usage error (bad arguments)
  3    partial result: printed, with warnings on stderr about what could not be read
  101  a panic, always a bug in corewalk";

/// Post-mortem forensics of Node.js processes from ELF core files.
#[derive(Parser)]
#[command(name = "corewalk", version, about, long_about)]
struct Cli {
    /// No progress output on stderr.
    #[arg(long, short, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

/// Options shared by every command that reads a core.
#[derive(clap::Args)]
struct CoreArgs {
    /// The core file (from gcore, the kernel, or `coredumpctl dump`).
    core: PathBuf,
    /// The node executable; default: the path recorded in the core.
    #[arg(long)]
    node: Option<PathBuf>,
    /// Read the core even if the executable's build-id does not match it.
    #[arg(long)]
    force: bool,
    /// Print JSON instead of tables.
    #[arg(long)]
    json: bool,
}

impl CoreArgs {
    fn open_options(&self) -> OpenOptions {
        OpenOptions {
            node: self.node.clone(),
            force: self.force,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Process, Node and V8 versions, threads, and the V8 heap's spaces.
    Info(CoreArgs),
    /// What fills the heap: object classes (named like V8's heap snapshot) by count and size.
    Analyze {
        #[command(flatten)]
        core: CoreArgs,
        /// Order classes by total self size or by count.
        #[arg(long, value_enum, default_value = "size")]
        sort: corewalk::report::analyze::SortBy,
        /// Classes to show in the table (0: all).
        #[arg(long, default_value_t = 40)]
        top: usize,
        /// Also build the object graph: retained sizes per class (dominator tree, as DevTools
        /// computes them) and the largest retainers.
        #[arg(long)]
        retained: bool,
    },
    /// Addresses and one-line previews of the instances of a class (like llnode's findjsinstances).
    Objects {
        #[command(flatten)]
        core: CoreArgs,
        /// Class name as `analyze` shows it: a constructor (`Date`), a function name for closures,
        /// or a group such as `(string)`.
        #[arg(long)]
        class: String,
        /// Instances to list (the total is always counted).
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Write a .heapsnapshot (V8's format, for Chrome DevTools, memlab...) of the heap.
    Snapshot {
        #[command(flatten)]
        core: CoreArgs,
        /// Output file (written to a temporary file, then renamed).
        #[arg(short, long)]
        output: PathBuf,
        /// Keep objects nothing reaches (dead, not yet collected) under an `(unreachable)` node.
        #[arg(long)]
        include_unreachable: bool,
    },
    /// Per class: instances and bytes in A and in B and the change, largest growth first. Either
    /// side may be a core or a .heapsnapshot (V8's own included).
    Diff {
        /// The earlier core or snapshot.
        a: PathBuf,
        /// The later core or snapshot.
        b: PathBuf,
        /// The node executable (for cores); default: the path recorded in each core.
        #[arg(long)]
        node: Option<PathBuf>,
        /// Read cores even if the executable's build-id does not match.
        #[arg(long)]
        force: bool,
        /// Classes to show (JSON has all).
        #[arg(long, default_value_t = 30)]
        top: usize,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Retaining paths from the GC roots to the instances of a class, grouped by shape (shortest
    /// paths, weak edges ignored).
    Retainers {
        #[command(flatten)]
        core: CoreArgs,
        /// Class name as `analyze` and `diff` show it (`Date`, `{url, date}`, `Array`...).
        #[arg(long)]
        class: String,
        /// Path groups to show.
        #[arg(long, default_value_t = 10)]
        limit: usize,
    },
    /// Every object that refers to the object at an address, with the reference's name.
    Refs {
        #[command(flatten)]
        core: CoreArgs,
        /// The object's address (hex, with or without 0x).
        address: String,
    },
    /// Native and JavaScript stack of every thread (main thread first), innermost frame first.
    Stack {
        #[command(flatten)]
        core: CoreArgs,
        /// Show each JavaScript frame's receiver and arguments (one-line previews).
        #[arg(long)]
        args: bool,
    },
    /// One object decoded: class, map, size, properties, elements, entries, text, function, context.
    Inspect {
        #[command(flatten)]
        core: CoreArgs,
        /// The object's address (hex, with or without 0x).
        address: String,
    },
}

/// Print a report: its warnings on stderr, then JSON (with `--json`) or the human table. Returns
/// whether the result is partial (exit status 3), from the report's diagnostics.
fn print<T: Report>(r: &T, json: bool, table: impl FnOnce(&T)) -> bool {
    let d = r.diagnostics();
    render::warnings(&d.warnings);
    if json {
        render::json(r);
    } else {
        table(r);
    }
    d.is_partial()
}

/// Parse a hex address.
fn parse_address(s: &str) -> Result<u64, corewalk::Error> {
    let t = s.trim().trim_start_matches("0x").trim_start_matches("0X");
    u64::from_str_radix(t, 16)
        .map_err(|_| corewalk::Error::BadArgument(format!("{s:?} is not a hex address")))
}

fn main() -> ExitCode {
    let matches = Cli::command()
        .after_help(EXIT_HELP)
        .mut_subcommands(|c| c.after_help(EXIT_HELP))
        .get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    let result = match &cli.command {
        Command::Info(args) => corewalk::report::info::info(&args.core, &args.open_options())
            .map(|r| print(&r, args.json, render::info)),
        Command::Analyze {
            core,
            sort,
            top,
            retained,
        } => {
            let progress = render::progress(cli.quiet);
            Session::open(&core.core, &core.open_options(), |s| {
                let r = corewalk::report::analyze::analyze(s, *sort, *retained, &*progress);
                Ok(print(&r, core.json, |r| render::analyze(r, *top)))
            })
        }
        Command::Objects { core, class, limit } => {
            Session::open(&core.core, &core.open_options(), |s| {
                let r = corewalk::report::inspect::objects(s, class, *limit);
                Ok(print(&r, core.json, render::objects))
            })
        }
        Command::Snapshot {
            core,
            output,
            include_unreachable,
        } => {
            let progress = render::progress(cli.quiet);
            let sopts = corewalk::snapshot::writer::SnapshotOptions {
                include_unreachable: *include_unreachable,
            };
            Session::open(&core.core, &core.open_options(), |s| {
                corewalk::report::snapshot::snapshot(s, output, &sopts, &*progress)
            })
            .map(|r| {
                let fate = if *include_unreachable {
                    "kept under (unreachable)"
                } else {
                    "left out"
                };
                print(&r, core.json, |r| {
                    eprintln!(
                        "wrote {}: {} nodes, {} edges ({} objects; {} unreachable objects, {} bytes, {fate})",
                        r.output, r.nodes, r.edges, r.objects, r.unreachable_objects, r.unreachable_bytes
                    )
                })
            })
        }
        Command::Diff {
            a,
            b,
            node,
            force,
            top,
            json,
        } => {
            let progress = render::progress(cli.quiet);
            let o = OpenOptions {
                node: node.clone(),
                force: *force,
            };
            corewalk::report::diff::diff(a, b, &o, &*progress)
                .map(|r| print(&r, *json, |r| render::diff(r, *top)))
        }
        Command::Retainers { core, class, limit } => {
            let progress = render::progress(cli.quiet);
            Session::open(&core.core, &core.open_options(), |s| {
                let r = corewalk::report::leaks::retainers(s, class, *limit, &*progress)?;
                Ok(print(&r, core.json, render::retainers))
            })
        }
        Command::Refs { core, address } => parse_address(address).and_then(|a| {
            let progress = render::progress(cli.quiet);
            Session::open(&core.core, &core.open_options(), |s| {
                let r = corewalk::report::leaks::refs(s, a, &*progress)?;
                Ok(print(&r, core.json, render::refs))
            })
        }),
        Command::Stack { core, args } => {
            corewalk::report::stack::stacks(&core.core, &core.open_options(), *args)
                .map(|r| print(&r, core.json, render::stack))
        }
        Command::Inspect { core, address } => parse_address(address).and_then(|a| {
            Session::open(&core.core, &core.open_options(), |s| {
                let r = corewalk::report::inspect::inspect(s, a)?;
                Ok(print(&r, core.json, render::inspect))
            })
        }),
    };
    match result {
        Ok(false) => ExitCode::SUCCESS,
        Ok(true) => ExitCode::from(EXIT_PARTIAL),
        Err(e) => {
            eprintln!("corewalk: {e}");
            ExitCode::from(EXIT_UNUSABLE)
        }
    }
}
