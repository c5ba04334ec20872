#pragma once

#include <QList>
#include <QString>
#include <QStringView>

namespace spidi {

// One `spidi-server` option: the long flag name, which is also the config file key and, upper-
// cased with '-' → '_' and prefixed with SPIDI_, the environment variable.
struct ConfigOption
{
    QString name;        // "data-dir"
    QString valueName;   // "DIR"
    QString description; // one sentence
    QString defaultText; // as shown in --help
};

// Every option, in --help order. "config" is first and is not a valid config file key.
const QList<ConfigOption> &configOptions();
const ConfigOption *findConfigOption(QStringView name);

QString envVarName(QStringView optionName); // "data-dir" → "SPIDI_DATA_DIR"

// The --help paragraph of one option: flag, value, description, env variable and default.
QString formatOptionHelp(const ConfigOption &option);

} // namespace spidi
