// quantscope-cli: the headless front end of QuantScope for scripts, batch reports and benchmarks.

#include "commands.h"

#include "quantscope/errors.h"

#include <algorithm>
#include <csignal>
#include <iostream>
#include <new>
#include <sstream>
#include <string>
#include <vector>

namespace {

using quantscope::InputError;
using quantscope::UsageError;

struct Command {
    const char* name;
    const char* summary;
    void (*run)(const std::vector<std::string>& args, std::ostream& out);
};

const std::vector<Command>& commands()
{
    static const std::vector<Command> list = {
        {"info", "list the tensors of a file with their statistics", quantscope::cli::runInfo},
        {"quantize", "quantize one tensor with one scheme; codebook, metrics, exports",
         quantscope::cli::runQuantize},
        {"compare", "every scheme at every bit width on one tensor", quantscope::cli::runCompare},
        {"bench", "time the distribution build and every scheme's design + metrics",
         quantscope::cli::runBench},
        {"report", "every tensor of a model x every scheme x bits; totals, bit allocation",
         quantscope::cli::runReport},
        {"export", "write one tensor's values (dequantized) as a float32 .npy",
         quantscope::cli::runExport},
        {"linear", "the integer W*A+B pipeline of a linear layer, step by step",
         quantscope::cli::runLinear},
    };
    return list;
}

std::string usage()
{
    std::string text = "usage: quantscope-cli COMMAND [ARGS...]\n\ncommands:\n";
    for (const auto& command : commands()) {
        std::string name = command.name;
        name.resize(10, ' ');
        text += "  " + name + command.summary + "\n";
    }
    text += "\n'quantscope-cli COMMAND --help' describes a command. FILE may be demo:NAME.\n"
            "Exit status: 0 success, 1 bad input, 2 bad usage.\n";
    return text;
}

// Errors are one line on stderr, whatever the exception text holds.
int fail(const std::string& message, int status)
{
    std::string line = message;
    std::replace(line.begin(), line.end(), '\n', ' ');
    std::cerr << "quantscope-cli: " << line << '\n';
    return status;
}

int run(const std::vector<std::string>& args)
{
    if (args.empty()) {
        std::cerr << usage();
        return 2;
    }
    const std::string& name = args.front();
    if (name == "--help" || name == "-h" || name == "help") {
        std::cout << usage();
        return 0;
    }
    const auto command = std::find_if(commands().begin(), commands().end(),
                                      [&](const Command& c) { return name == c.name; });
    if (command == commands().end()) {
        std::string names;
        for (const auto& c : commands()) {
            names += (names.empty() ? "" : ", ") + std::string(c.name);
        }
        throw UsageError("unknown command '" + name + "' (commands: " + names + ")");
    }
    // The report is printed only once the command has fully succeeded.
    std::ostringstream out;
    command->run(std::vector<std::string>(args.begin() + 1, args.end()), out);
    std::cout << out.str() << std::flush;
    if (!std::cout) {
        return fail("cannot write the output", 1);
    }
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    // A closed pipe (e.g. `| head`) should end the program quietly with an error status.
    std::signal(SIGPIPE, SIG_IGN);
    try {
        return run(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const UsageError& e) {
        return fail(e.what(), 2);
    } catch (const quantscope::Cancelled&) {
        return fail("interrupted; nothing written", 130); // as a shell reports SIGINT
    } catch (const InputError& e) {
        return fail(e.what(), 1);
    } catch (const std::bad_alloc&) {
        return fail("out of memory", 1);
    } catch (const std::exception& e) {
        return fail(e.what(), 1);
    }
}
