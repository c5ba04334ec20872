#include "node_package.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>

namespace spidi::test {

ProcessRun runProcess(const QString &program, const QStringList &args, const QString &dir,
                      int timeoutMs)
{
    QProcess process;
    process.setWorkingDirectory(dir);
    process.start(program, args);
    ProcessRun result;
    if (!process.waitForStarted(10000)) {
        result.err = process.errorString().toUtf8();
        return result;
    }
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        result.err = "timed out; stderr: " + process.readAllStandardError();
        return result;
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = process.readAllStandardOutput();
    result.err = process.readAllStandardError();
    return result;
}

QString installNodePackage(const QString &dir, const QString &marker)
{
    for (const char *tool : {"node", "npm"}) {
        if (QStandardPaths::findExecutable(QLatin1String(tool)).isEmpty())
            return QStringLiteral("%1 is missing: scripts/deps.sh installs it")
                .arg(QLatin1String(tool));
    }
    if (QFile::exists(dir + QStringLiteral("/node_modules/") + marker))
        return {};
    const QString cache = QDir::homePath() + QStringLiteral("/.cache/spidi/npm");
    const ProcessRun install =
        runProcess(QStringLiteral("npm"),
                   {QStringLiteral("ci"), QStringLiteral("--no-audit"), QStringLiteral("--no-fund"),
                    QStringLiteral("--prefer-offline"), QStringLiteral("--cache"), cache},
                   dir, 240000);
    if (install.exitCode == 0)
        return {};
    return QStringLiteral("npm ci in %1 failed (the npm registry must be reachable the first "
                          "time): %2")
        .arg(dir, QString::fromUtf8(install.err.right(2000)));
}

} // namespace spidi::test
