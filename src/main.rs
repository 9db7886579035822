//! The `corewalk` command line: parses arguments, calls the library, renders its results.

mod render;

use clap::{Parser, Subcommand};
use corewalk::process::OpenOptions;
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit status: the input could not be used (one-line error on stderr).
const EXIT_UNUSABLE: u8 = 1;
/// Exit status: a result was printed, but parts of the input could not be read (warnings on stderr).
const EXIT_PARTIAL: u8 = 3;

/// Post-mortem forensics of Node.js processes from ELF core files.
///
/// Exit status: 0 success; 1 unusable input (bad or mismatched core/executable); 2 usage error;
/// 3 partial result (printed, with warnings about what could not be read). 101 is always a bug.
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
        sort: corewalk::analyze::SortBy,
        /// Classes to show in the table (0: all).
        #[arg(long, default_value_t = 40)]
        top: usize,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Info(args) => corewalk::info::info(&args.core, &args.open_options()).map(|r| {
            render::warnings(&r.warnings);
            if args.json {
                render::json(&r);
            } else {
                render::info(&r);
            }
            r.partial
        }),
        Command::Analyze { core, sort, top } => {
            corewalk::analyze::analyze(&core.core, &core.open_options(), *sort).map(|r| {
                render::warnings(&r.warnings);
                if core.json {
                    render::json(&r);
                } else {
                    render::analyze(&r, *top);
                }
                !r.undecodable.is_empty()
            })
        }
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
