// AppInfo, what the About box shows: this build's version (the CMake project's), the Qt it was
// built with and runs on, the icon, and the version a real spidi-server reports on GET /health;
// without a server, why there is none, in words.
#include "server_process.h"
#include "services/app_info.h"
#include "services/rest_client.h"

#include <QSignalSpy>
#include <QTest>

using namespace spidi::desktop;
using spidi::test::ServerProcess;

class TestAppInfo : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void versions()
    {
        QCOMPARE(AppInfo::version(), QStringLiteral(SPIDI_VERSION));
        QVERIFY(!AppInfo::version().isEmpty());
        QCOMPARE(AppInfo::qtRuntimeVersion(), QString::fromLatin1(qVersion()));
        QCOMPARE(AppInfo::qtBuildVersion(), QStringLiteral(QT_VERSION_STR));
        QVERIFY(AppInfo::homepage().startsWith(QStringLiteral("http")));
        QVERIFY(!AppInfo::license().isEmpty());
        const QIcon icon = AppInfo::icon();
        QVERIFY(!icon.isNull());
        QCOMPARE(icon.pixmap(QSize(64, 64)).size(), QSize(64, 64));
        QVERIFY(icon.availableSizes().contains(QSize(256, 256)));
    }

    void withoutAServer()
    {
        AppInfo info;
        info.refreshServer();
        QVERIFY(info.serverVersion().isEmpty());
        QVERIFY(!info.serverError().isEmpty());

        RestClient rest;
        rest.setBaseUrl(QUrl(QStringLiteral("http://127.0.0.1:1")));
        AppInfo unreachable(&rest);
        QSignalSpy changed(&unreachable, &AppInfo::serverChanged);
        unreachable.refreshServer();
        QVERIFY(unreachable.serverLoading());
        QTRY_VERIFY(!unreachable.serverLoading());
        QVERIFY(unreachable.serverVersion().isEmpty());
        QVERIFY2(unreachable.serverError().startsWith(QStringLiteral("Network error")),
                 qPrintable(unreachable.serverError()));
    }

    void serverVersionFromHealth()
    {
        ServerProcess server;
        QVERIFY2(server.start(), qPrintable(server.errorText()));
        RestClient rest;
        rest.setBaseUrl(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(server.port())));
        AppInfo info(&rest);
        info.refreshServer();
        QTRY_VERIFY(!info.serverLoading());
        QVERIFY2(info.serverError().isEmpty(), qPrintable(info.serverError()));
        // The server is this build's too.
        QCOMPARE(info.serverVersion(), QStringLiteral(SPIDI_VERSION));
        QCOMPARE(info.serverStatus(), QStringLiteral("ok"));
    }
};

QTEST_MAIN(TestAppInfo)
#include "tst_app_info.moc"
