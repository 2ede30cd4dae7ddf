/**
 * The `dios` command's usage text.
 * @module
 */

/** What `dios --help` prints. */
export const USAGE = `Usage: dios <command> [options]

Commands:
  wordcount FILE... [--maps M] [--reduces R] [--top K | --all]
      Counts the words of the FILEs with a MapReduce job on a DIOS kernel
      and prints "word<TAB>count" lines, most frequent first, ties in byte
      order. A word is a maximal run of ASCII letters and digits,
      lower-cased.
        --maps M      map tasks (default: the number of CPUs, or one per
                      512 MiB of input if that is more)
        --reduces R   reduce tasks (default: the number of CPUs)
        --top K       print the K most frequent words (default 10)
        --all         print every word

Options:
  -h, --help   print this help

Exit status: 0 on success, 1 when a file cannot be read or the job fails,
2 for a usage error.
`;
