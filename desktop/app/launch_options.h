#pragma once

#include <QString>
#include <QStringList>

class QCommandLineParser;
class QQmlApplicationEngine;

namespace spidi::desktop {

// The command line of spidi-desktop (docs/desktop.md): --server, --token or --token-file (the
// token file's first line, trimmed), and the hidden test hooks --quit-after MS and --grab FILE.
// parse() never exits the process, so that it can be tested: --help, --version and every error
// make exitRequested() true, and main() returns report().
class LaunchOptions
{
public:
    // arguments as QCoreApplication::arguments() gives them: the program first.
    static LaunchOptions parse(const QStringList &arguments);

    // --help, --help-all, --version (exit code 0) or an error: the command line's mistakes
    // (unknown option, missing value; 1, as QCommandLineParser::process()) and the console's own
    // (--token with --token-file, an unreadable token file, --quit-after not a number; 2).
    bool exitRequested() const { return m_exitCode >= 0; }
    int exitCode() const { return m_exitCode; }
    // The error in words (empty for --help and --version).
    QString errorText() const { return m_error; }
    // Prints the help, the version or the error as QCommandLineParser::process() does (the
    // error on stderr, prefixed with the program's name) and returns exitCode().
    int report() const;

    QString server() const { return m_server; }
    QString token() const { return m_token; }
    // -1 without --quit-after.
    int quitAfterMs() const { return m_quitAfterMs; }
    QString grabFile() const { return m_grabFile; }

    // Gives Main.qml the server and token (its required properties serverOverride and
    // tokenOverride); call before loading it.
    void applyTo(QQmlApplicationEngine &engine) const;
    // With --quit-after: quits the application after that delay, saving the first root window
    // to grabFile() first when --grab was given. Call once Main.qml is loaded.
    void armTestHooks(QQmlApplicationEngine &engine) const;

private:
    static void addOptions(QCommandLineParser &parser);
    void fail(int exitCode, const QString &error);

    QStringList m_arguments;
    int m_exitCode = -1;
    QString m_error;
    QString m_server;
    QString m_token;
    int m_quitAfterMs = -1;
    QString m_grabFile;
};

} // namespace spidi::desktop
