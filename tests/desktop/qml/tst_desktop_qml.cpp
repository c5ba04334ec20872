// Qt Quick Test runner for the tst_*.qml files next to it, with the Spidi.Ui module linked in
// (its static plugin) and importable from the resources.
#include <QQmlEngine>
#include <QtQml/QQmlExtensionPlugin>
#include <QtQuickTest>

Q_IMPORT_QML_PLUGIN(Spidi_UiPlugin)

class Setup : public QObject
{
    Q_OBJECT

public Q_SLOTS:
    void qmlEngineAvailable(QQmlEngine *engine)
    {
        engine->addImportPath(QStringLiteral("qrc:/qt/qml"));
    }
};

QUICK_TEST_MAIN_WITH_SETUP(tst_desktop_qml, Setup)

#include "tst_desktop_qml.moc"
